"""The diffusion solvers against analytic solutions, on the CPU and on the
CUDA backend (Numba's simulator without a GPU): erfc from a step, orders of
convergence, mass conservation, decay at the half-life, the steady profile
behind a Dirichlet plasma boundary, and CPU == CUDA."""

from math import erfc, sqrt

import numpy as np
import pytest

from alveosim.backend import select_backend
from alveosim.config import load_config
from alveosim.fields.solvers import ExplicitStencil, Grid, ImplicitCG, ImplicitLOD, face_table
from alveosim.labels import AIR, CAPILLARY, NAMES, POST, SEPTUM
from alveosim.simulation import Simulation

from builders import tissue_data

SOLVERS = ["implicit", "explicit"]


def make_grid(backend, labels, h=1.0):
    labels = np.asarray(labels, dtype=np.uint8)
    return Grid(backend, labels.shape, h, backend.asarray(labels))


def diffusivities(d_tissue, d_air=0.0, d_post=None):
    """Per-label table [n_labels] µm²/s: d_tissue everywhere but air (and post)."""
    d = np.full(len(NAMES), d_tissue, dtype=np.float64)
    d[AIR] = d_air
    if d_post is not None:
        d[POST] = d_post
    return d


def advance(backend, solver, grid, c, d_labels, dt, steps, fixed=None, value=0.0, tolerance=1e-6):
    """Run ``steps`` diffusion steps of dt on the device field c [nx, ny, nz]
    (no reaction); returns the field and, for implicit_cg, the iterations of
    each step."""
    gtab = backend.asarray(face_table(d_labels))
    fixed = backend.asarray(np.zeros(len(NAMES), np.uint8) if fixed is None else fixed)
    d_max = float(face_table(d_labels).max())
    iterations = []
    if solver == "implicit_cg":
        s = ImplicitCG(grid, tolerance, 500)
        for _ in range(steps):
            rhs = c.reshape(-1).astype(np.float64)
            iterations.append(s.solve(c, gtab, fixed, value, dt, rhs, backend.xp.ones(grid.n, dtype=np.float64)))
        return backend.to_host(c).astype(np.float64), iterations
    s = ImplicitLOD(grid) if solver == "implicit" else ExplicitStencil(grid)
    for _ in range(steps):
        if solver == "implicit":
            s.diffuse(c, gtab, fixed, value, dt)
        else:
            s.diffuse(c, gtab, fixed, value, dt, d_max)
    return backend.to_host(c).astype(np.float64), iterations


def step_profile(n, h, t, d, x0):
    """Exact 1-D solution from c = 1 for x < x0, 0 beyond, at time t (infinite line)."""
    x = (np.arange(n) + 0.5) * h
    return np.array([0.5 * erfc((xi - x0) / (2.0 * sqrt(d * t))) for xi in x])


def rel_l2(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@pytest.mark.parametrize("solver", SOLVERS)
def test_erfc_from_a_step(backend, solver):
    """1-D diffusion from a step along x (the strided axis) matches
    0.5·erfc((x−x0)/(2√(Dt))) to relative L2 ≤ 1e-3."""
    d, t_end = 1.0, 4.0
    # implicit: 128 steps at h = 0.25 µm; explicit: 54 steps of 2 sub-steps at h = 0.5 µm
    n, h, steps = (160, 0.25, 128) if solver == "implicit" else (80, 0.5, 54)
    grid = make_grid(backend, np.full((n, 1, 1), SEPTUM), h)
    x0 = n / 2 * h
    c0 = (((np.arange(n) + 0.5) * h) < x0).astype(np.float32).reshape(n, 1, 1)
    c = backend.asarray(c0)
    got = advance(backend, solver, grid, c, diffusivities(d), t_end / steps, steps)[0].ravel()
    assert rel_l2(got, step_profile(n, h, t_end, d, x0)) <= 1e-3


def _smooth_run(backend, solver, n, h, dt, steps, d=1.0, t0=4.0, axis=0):
    """Start from the exact profile at t0 and run ``steps`` steps of dt along ``axis``."""
    shape = [1, 1, 1]
    shape[axis] = n
    grid = make_grid(backend, np.full(shape, SEPTUM), h)
    x0 = n / 2 * h
    c = backend.asarray(step_profile(n, h, t0, d, x0).astype(np.float32).reshape(shape))
    got = advance(backend, solver, grid, c, diffusivities(d), dt, steps)[0].ravel()
    return got, step_profile(n, h, t0 + dt * steps, d, x0)


@pytest.mark.parametrize("solver", ["implicit", "implicit_cg"])
def test_implicit_is_first_order_in_time(backend, solver):
    """At fixed h, halving dt halves the change: ‖u(dt)−u(dt/2)‖ / ‖u(dt/2)−u(dt/4)‖ ≈ 2."""
    runs = [_smooth_run(backend, solver, 64, 0.5, 1.0 / m, 4 * m)[0] for m in (1, 2, 4)]
    ratio = np.linalg.norm(runs[0] - runs[1]) / np.linalg.norm(runs[1] - runs[2])
    assert 1.8 < ratio < 2.2


@pytest.mark.parametrize("solver", SOLVERS)
def test_second_order_in_space(backend, solver):
    """With dt ∝ h² the error against the exact solution falls 4× per halving of h."""
    errors = []
    for m in (1, 2, 4):
        h = 1.0 / m
        dt = 0.25 * h * h if solver == "implicit" else 0.5 * h * h
        got, exact = _smooth_run(backend, solver, 48 * m, h, dt, round(2.0 / dt), axis=2)
        errors.append(np.sqrt(np.mean((got - exact) ** 2)))
    assert 3.3 < errors[0] / errors[1] < 4.7
    assert 3.3 < errors[1] / errors[2] < 4.7


def _mixed_labels(shape, seed=1):
    """Random septum/post/air labels: different diffusivities and no-flux faces."""
    rng = np.random.default_rng(seed)
    return rng.choice([SEPTUM, SEPTUM, POST, AIR], size=shape).astype(np.uint8)


@pytest.mark.parametrize("solver, dt", [("implicit", 0.25), ("implicit", 60.0), ("implicit_cg", 60.0), ("explicit", 0.09)])
def test_closed_box_conserves_mass(backend, solver, dt):
    """No decay, no-flux walls and air: the total amount stays to float32
    rounding (1e-6 relative), also at a tissue step (r·D = 192, where a
    float32 elimination would lose ~1e-5 per step; implicit_cg, solved to a
    relative residual of 1e-6, loses at most Σr ≤ √n·1e-6·‖b‖: 5e-6 here)."""
    shape = (10, 9, 8)
    labels = _mixed_labels(shape)
    h, d_tissue = 2.5, 20.0
    grid = make_grid(backend, labels, h=h)
    rng = np.random.default_rng(2)
    c0 = rng.random(shape).astype(np.float32)
    c = backend.asarray(c0)
    got = advance(backend, solver, grid, c, diffusivities(d_tissue, d_post=5.0), dt, 3)[0]
    total = c0.astype(np.float64).sum()
    assert abs(got.sum() - total) <= (5e-6 if solver == "implicit_cg" else 1e-6) * total
    assert np.all(got[labels == AIR] == c0[labels == AIR])  # nothing enters the airspace
    assert got[labels != AIR].std() < 0.95 * c0[labels != AIR].std()  # and it did diffuse


@pytest.mark.parametrize("solver", [*SOLVERS, "implicit_cg"])
def test_cpu_and_cuda_agree(solver):
    """The same step on both backends, with mixed labels and Dirichlet blood
    voxels, agrees to 1e-5 relative."""
    shape = (9, 8, 7)
    labels = _mixed_labels(shape, seed=3)
    labels[:, 3, :] = CAPILLARY
    fixed = np.zeros(len(NAMES), np.uint8)
    fixed[CAPILLARY] = 1
    c0 = np.random.default_rng(4).random(shape).astype(np.float32)
    out = []
    for name in ("cpu", "cuda"):
        be = select_backend(name)
        grid = make_grid(be, labels, h=2.5)
        dt = 0.09 if solver == "explicit" else 20.0  # explicit: 2 sub-steps
        out.append(advance(be, solver, grid, be.asarray(c0), diffusivities(20.0, d_post=5.0), dt, 2, fixed, 0.7)[0])
    assert np.max(np.abs(out[0] - out[1])) <= 1e-5 * np.max(np.abs(out[0]))


def _config(shape, h, dt, steps, fields, plasma=None, solver="implicit"):
    data = tissue_data([f"{n * h} um" for n in shape], f"{h} um", f"{dt * steps} s", f"{dt} s", {"progress": False, "timeseries_every": 10**6},
                       fields={"solver": solver, "named": fields}, plasma=plasma or None)
    return load_config(data=data)


@pytest.mark.parametrize("solver", SOLVERS)
def test_decay_at_the_half_life(backend, solver):
    """A uniform field halves every half-life: c(t) = c0 · 2^(−t/T½)."""
    d = "10 um^2/s" if solver == "implicit" else "0 um^2/s"  # explicit: no sub-steps needed
    cfg = _config((4, 3, 2), 2.5, 90.0, 10, {"emt_factor": {"unit": "a.u.", "initial": 8.0, "diffusivity": d, "half_life": "5 min"}}, solver=solver)
    sim = Simulation(cfg, backend=backend)
    sim.run(progress=False)
    got = backend.to_host(sim.state.arrays["fields"])
    np.testing.assert_allclose(got, 8.0 * 2.0 ** (-900.0 / 300.0), rtol=2e-6)


def test_implicit_cg_decays_by_backward_euler(backend):
    """The unsplit solver takes decay implicitly: a uniform field falls by
    1/(1 + k·dt) per step, c(t) = c0 · (1 + k·dt)^(−n), which tends to the
    steady state at any dt (and to 2^(−t/T½) as dt → 0)."""
    cfg = _config((4, 3, 2), 2.5, 90.0, 10, {"emt_factor": {"unit": "a.u.", "initial": 8.0, "diffusivity": "10 um^2/s", "half_life": "5 min"}}, solver="implicit_cg")
    sim = Simulation(cfg, backend=backend)
    sim.run(progress=False)
    got = backend.to_host(sim.state.arrays["fields"])
    np.testing.assert_allclose(got, 8.0 * (1.0 + 90.0 * np.log(2.0) / 300.0) ** -10, rtol=1e-5)


def test_spectral_preconditioner_is_exact_for_one_diffusivity(cpu):
    """One diffusivity everywhere and no Dirichlet voxels: the DCT
    preconditioner is the inverse of the operator, so CG stops after one
    iteration at a tissue step (up to two more for float32 rounding at this
    tolerance of 1e-6); with mixed labels (air closing faces, posts
    slower) it still converges to 1e-6 in a few dozen."""
    rng = np.random.default_rng(5)
    shape = (12, 10, 9)
    c0 = rng.random(shape).astype(np.float32)
    uniform = make_grid(cpu, np.full(shape, SEPTUM), h=2.5)
    _, its = advance(cpu, "implicit_cg", uniform, cpu.asarray(c0), diffusivities(20.0, d_air=20.0), 7200.0, 2)
    assert max(its) <= 3
    mixed = make_grid(cpu, _mixed_labels(shape, seed=6), h=2.5)
    got, its = advance(cpu, "implicit_cg", mixed, cpu.asarray(c0), diffusivities(20.0, d_post=5.0), 7200.0, 2)
    assert max(its) < 60
    assert abs(got.sum() - c0.astype(np.float64).sum()) <= 1e-5 * c0.sum()


def test_dirichlet_plasma_boundary_steady_profile(backend):
    """A septal slab between a capillary (held at the plasma value P) and
    airspace (no flux) reaches c(x) = P·cosh((L−x)/λ)/cosh(L/λ), λ = √(D/k),
    x from the capillary voxel centre, L to the air face (implicit solver).
    Decay is split from diffusion with implicit Euler, so the steady state
    carries a first-order bias k_eff = k·(1 − k·dt/2): with k·dt = 0.03 the
    profile is within 2% (the bias is ≤ (L/λ)·k·dt/4)."""
    _dirichlet_slab(backend, "implicit", 3.0, 200)


def test_dirichlet_plasma_boundary_steady_profile_explicit(cpu):
    """The same slab with the explicit solver (CPU only: reaching the steady
    state takes ~7000 sub-steps, too many for the CUDA simulator; the
    explicit Dirichlet rows are compared with CUDA in test_cpu_and_cuda_agree)."""
    _dirichlet_slab(cpu, "explicit", 2.0, 300)


def test_dirichlet_slab_steady_profile_implicit_cg(backend):
    """The same slab with the unsplit implicit solver: decay is in the same
    solve, so a few steps of dt = 100 half-lives reach the steady state with
    no splitting bias (within 0.5%: the 3-point stencil's own error)."""
    _dirichlet_slab(backend, "implicit_cg", 7000.0, 3, rtol=5e-3)


def _dirichlet_slab(backend, solver, dt, steps, rtol=2e-2):
    n, h, d, half_life = 26, 1.0, 1.0, 100.0 * np.log(2.0)  # λ = 10 µm, k = 0.01/s
    labels = np.full((n, 1, 1), SEPTUM, np.uint8)
    labels[0] = CAPILLARY
    labels[-4:] = AIR
    fields = {"cxcl13": {"unit": "pM", "diffusivity": f"{d} um^2/s", "half_life": f"{half_life} s", "plasma": "cxcl13"}}
    plasma = {"cxcl13": {"unit": "pM", "initial": "5 pM"}}
    cfg = _config(labels.shape, h, dt, steps, fields, plasma, solver)
    sim = Simulation(cfg, backend=backend)
    sim.state.arrays["labels"] = backend.asarray(labels)
    sim.run(progress=False)
    got = backend.to_host(sim.state.arrays["fields"][0]).ravel().astype(np.float64)
    lam, big_l = 10.0, (n - 4 - 0.5) * h
    x = np.arange(n - 4) * h
    exact = 5.0 * np.cosh((big_l - x) / lam) / np.cosh(big_l / lam)
    assert got[0] == pytest.approx(5.0)
    np.testing.assert_allclose(got[: n - 4], exact, rtol=rtol)
    assert np.all(got[n - 4 :] == 0.0)


def _point_source_steady(backend, solver, n, lam, dt, steps):
    """Run a source of S = 100 pM·µm³/s at the centre voxel of an n³ box
    (h = 1 µm, D = 1 µm²/s, decay k = D/λ²) for ``steps`` steps; returns the
    field and the continuum steady state S·e^(−r/λ)/(4πDr) with r the
    distance between voxel centres (inf at the source voxel)."""
    rate = 100.0
    field = {"unit": "pM", "diffusivity": "1 um^2/s", "decay_rate": f"{1.0 / lam**2} 1/s"}
    sim = Simulation(_config((n, n, n), 1.0, dt, steps, {"cxcl13": field}, solver=solver), backend=backend)
    for op in sim.operations:
        op.attach(sim)
    m = n // 2
    pos = backend.asarray(np.full((1, 3), m + 0.5, np.float32))
    for _ in range(steps):
        sim.fields.add_sources("cxcl13", pos, rate, 1)
        sim.operations[0].act(sim.state, dt)
    c = backend.to_host(sim.state.arrays["fields"][0]).astype(np.float64).ravel()
    r = np.linalg.norm(np.indices((n, n, n)).reshape(3, -1).T - m, axis=1)
    with np.errstate(divide="ignore"):
        exact = rate * np.exp(-r / lam) / (4 * np.pi * r)
    return c, exact, r


@pytest.mark.parametrize("solver, dt", [("implicit", 0.0625), ("explicit", 0.25)])
def test_point_source_steady_state_close_to_the_source(cpu, solver, dt):
    """Steady state around a one-voxel source with decay, λ = 4h, in a box
    of ±5λ run for 7.5/k (CPU; the sources path is compared with CUDA in
    test_sources). Averaged over each voxel shell |r − r_s| < h/2, where the
    lattice's cubic anisotropy cancels, it matches the continuum to 2% from
    the first shell around the source voxel (r_s = h) out to 3λ; every voxel
    matches to 5% from r = 5h. Closer in, single voxels cannot: the 7-point
    Green's function exceeds the continuum on the axes by 9% at r = 2h and
    5% at 3h whatever λ/h or the box (an FFT solve of the discrete steady
    equations gives the same), and the implicit LOD splitting adds its own
    axis-aligned error (≈ +10% at r = 5h at dt·D/h² = 0.25), hence its
    smaller step here."""
    lam = 4.0
    c, exact, r = _point_source_steady(cpu, solver, 41, lam, dt, round(120.0 / dt))
    far = (r >= 5.0) & (r <= 3 * lam)
    assert np.max(np.abs(c[far] / exact[far] - 1.0)) < 0.05
    for shell in range(1, int(3 * lam) + 1):
        sel = np.abs(r - shell) < 0.5
        assert abs(np.mean(c[sel] / exact[sel]) - 1.0) < 0.02, shell


def test_implicit_cg_reaches_the_point_source_steady_state_in_one_step(cpu):
    """One tissue-length step (dt = 1e4 s ≫ 1/k = 16 s) of the unsplit
    solver gives the point source's steady state to the same bounds as the
    converged small-step runs above (shells 2% from r = h to 3λ, voxels 5%
    from r = 5h). LOD at that step smears the source along each sweep: the
    same comparison is off by more than half at r = 2h."""
    lam = 4.0
    c, exact, r = _point_source_steady(cpu, "implicit_cg", 41, lam, 1e4, 1)
    far = (r >= 5.0) & (r <= 3 * lam)
    assert np.max(np.abs(c[far] / exact[far] - 1.0)) < 0.05
    for shell in range(1, int(3 * lam) + 1):
        sel = np.abs(r - shell) < 0.5
        assert abs(np.mean(c[sel] / exact[sel]) - 1.0) < 0.02, shell
    lod, exact, r = _point_source_steady(cpu, "implicit", 41, lam, 1e4, 1)
    sel = np.abs(r - 2.0) < 0.5
    assert abs(np.mean(lod[sel] / exact[sel]) - 1.0) > 0.5


def test_explicit_stencil_launchers_identical_on_a_non_cubic_grid():
    """One explicit step by the CPU launcher and by the CUDA launcher (a 3-D
    grid of threads, z fastest) gives bit-identical float32 on nx ≠ ny ≠ nz,
    so an axis swapped in the thread-to-voxel map fails."""
    shape = (5, 6, 37)  # nz > one 32-thread block row: two blocks along z
    labels = _mixed_labels(shape, seed=8).reshape(-1)
    nl = len(NAMES)
    coef = (np.random.default_rng(9).random(nl * nl) * 0.1).astype(np.float32)
    c0 = np.random.default_rng(10).random(labels.size).astype(np.float32)
    out = []
    for name in ("cpu", "cuda"):
        be = select_backend(name)
        dst = be.asarray(np.zeros_like(c0))
        be.kernels("diffusion").stencil_step(c0.size, be.asarray(c0), dst, be.asarray(labels), be.asarray(coef), np.int32(nl), *shape)
        out.append(be.to_host(dst))
    assert np.array_equal(out[0], out[1])
    assert not np.array_equal(out[0], c0)


@pytest.mark.parametrize("shape", [(3, 4, 9), (1, 2, 300)], ids=["z-local", "z-global"])
def test_implicit_sweeps_identical_on_cpu_and_cuda(shape):
    """The three LOD sweeps by the CPU and CUDA launchers give bit-identical
    fields: the z sweep in thread-local arrays (nz <= LOCAL_LINE) and in
    global scratch (longer lines) run the same float64 recurrence."""
    labels = _mixed_labels(shape, seed=5)
    labels[..., 2] = CAPILLARY
    fixed = np.zeros(len(NAMES), np.uint8)
    fixed[CAPILLARY] = 1
    gtab = face_table(diffusivities(20.0, d_post=5.0)).astype(np.float32)
    c0 = np.random.default_rng(6).random(labels.size).astype(np.float32)
    nx, ny, nz = shape
    lines = (ny * nz, nx * nz, nx * ny)
    out = []
    for name in ("cpu", "cuda"):
        be = select_backend(name)
        c = be.asarray(c0)
        cp, dp = (be.xp.zeros(c0.size, dtype=np.float64) for _ in range(2))
        for axis in range(3):
            be.kernels("diffusion").lod_sweep(lines[axis], c, cp, dp, be.asarray(labels.reshape(-1)), be.asarray(gtab), be.asarray(fixed), 0.7, 3.0, axis, nx, ny, nz)
        out.append(be.to_host(c))
    assert np.array_equal(out[0], out[1])
    assert not np.array_equal(out[0], c0)
