"""The algebraic multigrid preconditioner of the capillary flow solve: same
pressure as Jacobi-CG, iteration counts nearly independent of size, the
hierarchy reused after a small occlusion, and the device V-cycle (run with
NumPy/SciPy standing in for CuPy/cupyx) as a working preconditioner."""

import numpy as np
import pytest
import scipy.sparse as sp

from alveosim import labels as L
from alveosim.backend import select_backend
from alveosim.cg import pcg
from alveosim.lattice.config import LatticeConfig
from alveosim.lattice.connectivity import conducting_mask
from alveosim.lattice.flow import Flow
from alveosim.lattice.generate import generate
from alveosim.lattice.multigrid import DeviceVCycle, Multigrid, reduced_matrix
from alveosim.state import State

H = 2.5
CPU = select_backend("cpu")


def lattice_state(shape, seed=3):
    st = State(CPU, 0)
    st.arrays["labels"] = generate(CPU, shape, H, LatticeConfig.model_validate({}), seed).labels
    st.arrays["occluded"] = np.zeros(shape, dtype=np.uint8)
    return st


def flow(preconditioner):
    cfg = LatticeConfig.model_validate({"flow": {"preconditioner": preconditioner}})
    return Flow(CPU, H, cfg.capillary_thickness**2 / 12.0, cfg.flow)


def conducting_system(st):
    """(cells, nbr, fixed) of the conducting voxels of ``st``, as Flow numbers them."""
    labels = st.arrays["labels"]
    cells = np.flatnonzero(conducting_mask(CPU, labels, st.arrays["occluded"]).reshape(-1))
    index = np.full(labels.size, -1, dtype=np.int32)
    index[cells] = np.arange(cells.size, dtype=np.int32)
    nbr = np.empty((cells.size, 6), dtype=np.int32)
    CPU.kernels("flow").neighbours(cells.size, cells, index, np.asarray(labels.shape, dtype=np.int64), nbr)
    lab = labels.reshape(-1)[cells]
    return cells, nbr, ((lab == L.INLET) | (lab == L.OUTLET)).astype(np.uint8)


def test_multigrid_pressure_equals_jacobi_cg():
    shape = (40, 32, 32)
    out = {}
    for pre in ("jacobi", "amg"):
        st = lattice_state(shape)
        sol = flow(pre).solve(st)
        out[pre] = (st.arrays["pressure"].astype(np.float64), sol)
    (p_j, s_j), (p_a, s_a) = out["jacobi"], out["amg"]
    assert s_a.conducting == s_j.conducting > 0
    np.testing.assert_allclose(p_a, p_j, rtol=1e-6, atol=1e-7 * p_j.max())
    assert s_a.inflow == pytest.approx(s_j.inflow, rel=1e-7)
    assert abs(s_a.inflow - s_a.outflow) <= 1e-6 * s_a.inflow
    assert s_a.iterations * 10 < s_j.iterations


def test_multigrid_iterations_nearly_independent_of_size():
    small = flow("amg").solve(lattice_state((32, 32, 32))).iterations
    large = flow("amg").solve(lattice_state((64, 64, 64))).iterations
    assert large <= 1.5 * small


def test_reduced_matrix_is_the_operator_on_free_rows():
    st = lattice_state((24, 20, 20))
    cells, nbr, fixed = conducting_system(st)
    a, free = reduced_matrix(nbr, fixed)
    assert a.has_sorted_indices and (a - a.T).nnz == 0
    x = np.random.default_rng(1).random(cells.size)
    x[fixed != 0] = 0.0
    ax = np.empty(cells.size)
    CPU.kernels("flow").laplacian(cells.size, nbr, fixed, x, 0, ax)
    np.testing.assert_allclose(a @ x[free], ax[free], rtol=1e-12, atol=1e-12)


def test_small_occlusion_reuses_the_hierarchy_and_matches_a_rebuild():
    shape = (48, 32, 32)
    st = lattice_state(shape)
    f = flow("amg")
    f.solve(st)
    built = f.multigrid
    block = np.zeros(shape, dtype=bool)
    block[22:26, 12:18, 12:18] = True
    f.occlude(st, block)
    warm = f.solve(st)
    assert f.multigrid is built and warm.setup_seconds == 0.0
    fresh = lattice_state(shape)
    fresh.arrays["occluded"][...] = st.arrays["occluded"]
    fresh.values["flow_pressure_drop_Pa"] = st.values["flow_pressure_drop_Pa"]
    fresh.arrays["pressure"] = np.zeros(shape, dtype=np.float32)
    cold = flow("amg").solve(fresh)
    assert cold.setup_seconds > 0
    np.testing.assert_allclose(st.arrays["pressure"], fresh.arrays["pressure"], rtol=1e-5,
                               atol=1e-6 * float(st.arrays["pressure"].max()))
    slab = np.zeros(shape, dtype=bool)
    slab[10:14] = True  # removes far more than the reuse limit: rebuilt
    f.occlude(st, slab)
    assert f.solve(st).inflow == 0


def test_device_v_cycle_preconditions_cg_like_the_host_cycle():
    st = lattice_state((40, 32, 32))
    cells, nbr, fixed = conducting_system(st)
    mg = Multigrid(CPU, cells, nbr, fixed)
    a, _ = reduced_matrix(nbr, fixed)
    b = np.random.default_rng(2).random(a.shape[0])
    cycle = DeviceVCycle(np, sp, mg.hierarchy)
    x = np.zeros_like(b)
    iterations, rnorm = pcg(np, lambda p, out: np.copyto(out, a @ p), x, b.copy(),
                            lambda r, z: np.copyto(z, cycle(r)), 1e-10 * np.linalg.norm(b), 500, check_every=1)
    assert rnorm <= 1e-10 * np.linalg.norm(b)
    np.testing.assert_allclose(a @ x, b, atol=1e-8 * np.abs(b).max())
    assert iterations <= 40


def test_a_fresh_solver_on_a_copied_state_repeats_the_solve_bit_for_bit():
    """What a resumed run does: a new Flow rebuilds the hierarchy from the
    voxels recorded in the state, so its re-solve after an occlusion equals
    the uninterrupted solver's, which reused its hierarchy."""
    shape = (48, 32, 32)
    st = lattice_state(shape)
    first = flow("amg")
    first.solve(st)
    block = np.zeros(shape, dtype=bool)
    block[22:26, 12:18, 12:18] = True
    first.occlude(st, block)
    copy = State(CPU, 0)
    copy.arrays = {k: v.copy() for k, v in st.arrays.items()}
    copy.values = dict(st.values)
    kept = first.solve(st)
    resumed = flow("amg").solve(copy)
    assert kept.setup_seconds == 0 and resumed.setup_seconds > 0
    np.testing.assert_array_equal(copy.arrays["pressure"], st.arrays["pressure"])
    np.testing.assert_array_equal(copy.arrays["velocity"], st.arrays["velocity"])
    assert resumed.iterations == kept.iterations
