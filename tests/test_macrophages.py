"""Interstitial macrophages: the Hill reprogramming hazard, reversion, the
nearest-blood-voxel rule, septal placement and deterministic shedding, on
synthetic lattices and fields, on both backends."""

import math

import numpy as np
import pytest

from alveosim.kernels.rules.macrophages import NAIVE, REPROGRAMMED
from alveosim.labels import AIR, CAPILLARY, INLET, SEPTUM
from alveosim.macrophages.feature import IM, septal_positions, shedding_rate_field
from alveosim.pools import AgentPool
from alveosim.state import State
from alveosim.streams import Stream
from tests.conftest import to_host


def _n(backend, cpu_n, cuda_n):
    return cpu_n if backend.name == "cpu" else cuda_n


def _reprogram(backend, state, conc, rate_dt, k, n_hill, p_revert, seed=7, step=3):
    n = state.shape[0]
    uid = backend.asarray(np.arange(n, dtype=np.int64))
    st = backend.asarray(state)
    backend.kernels("macrophages").reprogram(
        n, uid, st, backend.asarray(np.asarray(conc, dtype=np.float32)), seed, int(Stream.IM_REPROGRAM), step,
        rate_dt, k**n_hill, n_hill, p_revert,
    )
    return to_host(backend, st)


@pytest.mark.parametrize("conc_pM", [10.0, 30.0, 90.0])
def test_reprogrammed_fraction_follows_hill_hazard(backend, conc_pM):
    n = _n(backend, 40000, 400)
    k, n_hill, rate_dt = 30.0, 2.0, 1.5
    out = _reprogram(backend, np.zeros(n, np.uint8), np.full(n, conc_pM), rate_dt, k, n_hill, 0.0)
    p = 1.0 - math.exp(-rate_dt * conc_pM**2 / (conc_pM**2 + k**2))
    assert set(np.unique(out)) <= {NAIVE, REPROGRAMMED}
    assert abs(out.mean() - p) < 4.5 * math.sqrt(p * (1 - p) / n)


def test_no_cxcl13_or_no_rate_never_reprograms(backend):
    n = _n(backend, 5000, 200)
    assert _reprogram(backend, np.zeros(n, np.uint8), np.zeros(n), 50.0, 30.0, 2.0, 0.0).sum() == 0
    assert _reprogram(backend, np.zeros(n, np.uint8), np.full(n, 1e4), 0.0, 30.0, 2.0, 0.0).sum() == 0


def test_saturating_cxcl13_reprograms_all(backend):
    n = _n(backend, 5000, 200)
    assert _reprogram(backend, np.zeros(n, np.uint8), np.full(n, 1e5), 60.0, 30.0, 2.0, 0.0).min() == REPROGRAMMED


def test_reversion_probability_and_conservation(backend):
    n = _n(backend, 40000, 400)
    start = np.ones(n, np.uint8)
    kept = _reprogram(backend, start, np.zeros(n), 1.0, 30.0, 2.0, 0.0)
    assert kept.min() == REPROGRAMMED  # no reversion without a reversion rate
    out = _reprogram(backend, start, np.zeros(n), 1.0, 30.0, 2.0, 0.25)
    assert abs((out == NAIVE).mean() - 0.25) < 4.5 * math.sqrt(0.25 * 0.75 / n)


def test_reprogramming_is_identical_on_cpu_and_cuda(cpu, cuda):
    rng = np.random.default_rng(1)
    n = 300
    state = (rng.random(n) < 0.3).astype(np.uint8)
    conc = rng.random(n) * 80.0
    a = _reprogram(cpu, state, conc, 0.8, 25.0, 1.7, 0.1, seed=11, step=42)
    b = _reprogram(cuda, state, conc, 0.8, 25.0, 1.7, 0.1, seed=11, step=42)
    np.testing.assert_array_equal(a, b)
    assert 0 < (a != state).sum() < n  # the case is not trivial


def _sheet_labels(shape=(8, 8, 8)):
    """SEPTUM everywhere, a CAPILLARY plane at k = 5 with one INLET voxel, AIR at k = 0."""
    labels = np.full(shape, SEPTUM, np.uint8)
    labels[:, :, 0] = AIR
    labels[:, :, 5] = CAPILLARY
    labels[1, 1, 5] = INLET
    return labels


def _brute_nearest(pos, labels, h, reach):
    blood = np.argwhere(np.isin(labels, (2, 4, 5)))
    centres = (blood + 0.5) * h
    flat = np.ravel_multi_index(blood.T, labels.shape)
    out = []
    for p in pos.astype(np.float64):
        d2 = ((centres - p) ** 2).sum(axis=1)
        ok = d2 <= reach * reach * (1 + 1e-9)
        if not ok.any():
            out.append(-1)
            continue
        m = d2[ok].min()
        out.append(flat[ok][d2[ok] == m].min())
    return np.array(out)


def test_nearest_blood_voxel_matches_brute_force(backend):
    h, reach = 2.5, 6.0
    labels = _sheet_labels()
    rng = np.random.default_rng(3)
    m = _n(backend, 500, 60)
    pos = (rng.random((m, 3)) * 20.0).astype(np.float32)
    pos[0] = (1.25, 1.25, 11.0)  # in voxel (0, 0, 4), 2.75 µm from the centre of blood voxel (0, 0, 5)
    pos[1] = (10.0, 10.0, 10.0)  # exactly between voxel centres in x and y: ties → lowest flat index
    pos[2] = (5.0, 5.0, 0.5)  # more than 6 µm from the capillary plane → no blood voxel
    out = backend.xp.zeros(m, dtype=np.int64)
    backend.kernels("macrophages").nearest_blood(m, backend.asarray(pos), backend.asarray(labels), h, reach, out)
    got = to_host(backend, out)
    np.testing.assert_array_equal(got, _brute_nearest(pos, labels, h, reach))
    assert got[2] == -1 and got[0] == np.ravel_multi_index((0, 0, 5), labels.shape)


def test_septal_placement_density_and_distinct_voxels():
    labels = _sheet_labels((20, 20, 20))
    h, density = 2.5, 0.01
    pos = septal_positions(labels, h, density, seed=5)
    n_septum = (labels == SEPTUM).sum()
    assert len(pos) == round(density * n_septum * h**3)
    ijk = np.floor(pos / h).astype(int)
    assert (labels[tuple(ijk.T)] == SEPTUM).all()
    assert len({tuple(v) for v in ijk}) == len(pos)
    np.testing.assert_array_equal(pos, septal_positions(labels, h, density, seed=5))
    assert not np.array_equal(pos, septal_positions(labels, h, density, seed=6))
    assert len(septal_positions(labels, h, 0.0, seed=5)) == 0


def _im_state(backend, states, voxels, shape):
    st = State(backend, seed=0)
    pool = AgentPool(IM, len(states), backend)
    pool.add({"state": np.asarray(states, np.uint8), "shed_voxel": np.asarray(voxels, np.int64)})
    st.pools["im"] = pool
    st.arrays["ev_shed_rate"] = backend.xp.full(shape, 7.0, dtype=np.float32)
    return st


def test_shedding_counts_reprogrammed_ims_per_voxel_in_any_order(backend):
    shape = (4, 4, 4)
    states = [1, 1, 0, 1, 1, 1]
    voxels = [5, 5, 5, 9, -1, 63]
    rate = 2.5
    a = _im_state(backend, states, voxels, shape)
    shedding_rate_field(a, rate)
    got = to_host(backend, a.arrays["ev_shed_rate"]).ravel()
    expect = np.zeros(64, np.float32)
    expect[5], expect[9], expect[63] = 2 * rate, rate, rate
    np.testing.assert_array_equal(got, expect)
    order = [5, 3, 1, 4, 0, 2]
    b = _im_state(backend, np.take(states, order), np.take(voxels, order), shape)
    shedding_rate_field(b, rate)
    np.testing.assert_array_equal(to_host(backend, b.arrays["ev_shed_rate"]).ravel(), got)


def _lung_config(plasma_pM: float, **macrophages):
    from alveosim.config import load_config

    im = {"density": "2e-3 /um^3", "reprogramming_rate": "1 /d", "half_saturation": "40 pM", "hill_coefficient": 3,
          "shedding_rate": "20 /s", **macrophages}
    return load_config(data={
        "seed": 3, "backend": "cpu", "domain": {"size": ["60 um", "60 um", "30 um"], "voxel": "2.5 um"},
        "lattice": {"species": "mouse"},
        "fields": {"named": {"cxcl13": {"unit": "pM", "diffusivity": "20 um^2/s", "half_life": "30 min", "plasma": "cxcl13"}}},
        "plasma": {"cxcl13": {"unit": "pM", "initial": f"{plasma_pM} pM", "production": f"{plasma_pM * math.log(2) / 600} pM/s", "half_life": "10 min"}},
        "macrophages": im,
        "phases": [{"name": "conditioning", "clock": "tissue", "duration": "4 d", "dt": "2 h"}],
        "output": {"progress": False, "timeseries_every": 12},
    })


def _run(cfg):
    from alveosim.simulation import Simulation

    sim = Simulation(cfg, backend="cpu")
    n0 = sim.state.pool("im").n
    sim.run(progress=False)
    return sim, n0


def test_ims_in_a_lung_are_conserved_septal_and_follow_plasma_cxcl13():
    high, n0 = _run(_lung_config(100.0))
    pool = high.state.pool("im")
    assert n0 > 20 and pool.n == n0  # no IM is born or dies
    labels = high.state.arrays["labels"]
    ijk = np.floor(pool.live("pos") / high.config.domain.voxel).astype(int)
    assert (labels[tuple(ijk.T)] == SEPTUM).all()
    frac_high = high.timeseries.rows[-1]["im_reprogrammed_fraction"]
    low, _ = _run(_lung_config(9.5))
    frac_low = low.timeseries.rows[-1]["im_reprogrammed_fraction"]
    assert frac_high > 0.8 and frac_low < 0.2
    rate = high.state.arrays["ev_shed_rate"]
    shedders = (pool.live("state") == REPROGRAMMED) & (pool.live("shed_voxel") >= 0)
    assert rate.sum() == pytest.approx(20.0 * shedders.sum())
    assert np.isin(labels.ravel()[rate.ravel() > 0], (2, 4, 5)).all()  # only into blood voxels


def test_cxcr5_loss_and_im_depletion_stop_reprogramming_and_shedding():
    ko, n0 = _run(_lung_config(100.0, cxcr5_knockout=True))
    assert n0 > 20 and ko.state.values["im_reprogrammed"] == 0 and ko.state.arrays["ev_shed_rate"].sum() == 0
    gone, n0 = _run(_lung_config(100.0, depleted=True))
    assert n0 == 0 and gone.state.arrays["ev_shed_rate"].sum() == 0
