"""Agent sources, uptake and sampling: deterministic fixed-point deposits
(bitwise the same in any agent order and on both backends), exact amounts,
uptake that never drives a concentration negative, and the steady state
around a point source with decay (C ∝ e^(−r/λ)/r)."""

import math

import numpy as np
import pytest

from alveosim.backend import select_backend
from alveosim.config import load_config
from alveosim.simulation import Simulation


def _sim(backend, shape, h, dt, steps, field, solver="implicit"):
    cfg = load_config(data={
        "domain": {"size": [f"{n * h} um" for n in shape], "voxel": f"{h} um"},
        "phases": [{"name": "p", "clock": "tissue", "duration": f"{dt * steps} s", "dt": f"{dt} s"}],
        "fields": {"solver": solver, "named": {"cxcl13": field}},
        "output": {"progress": False, "timeseries_every": 10**6},
    })
    sim = Simulation(cfg, backend=backend)
    for op in sim.operations:
        op.attach(sim)
    sim._attached = {id(op) for op in sim.operations}
    return sim


def _agents(n, shape, h, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n, 3)) * np.array(shape) * h).astype(np.float32)


def test_deposits_are_order_independent_and_agree_across_backends():
    """Fixed-point sums: permuting the agents or changing backend gives the
    same int64 accumulator bit for bit."""
    shape, h, n = (6, 5, 4), 2.5, 300
    pos = _agents(n, shape, h)
    pos[:100] = pos[0]  # many agents in one voxel
    rates = np.random.default_rng(1).random(n) * 50.0
    perm = np.random.default_rng(2).permutation(n)
    results = []
    for name in ("cpu", "cuda"):
        be = select_backend(name)
        for order in (np.arange(n), perm):
            sim = _sim(be, shape, h, 60.0, 1, {"unit": "pM", "diffusivity": "10 um^2/s"})
            sim.fields.add_sources("cxcl13", be.asarray(pos[order]), be.asarray(rates[order]), n)
            results.append(be.to_host(sim.state.arrays["fields_source_cxcl13"]).copy())
    for r in results[1:]:
        assert np.array_equal(r, results[0])
    assert results[0].sum() > 0


@pytest.mark.parametrize("solver", ["implicit", "explicit"])
def test_sources_add_the_exact_amount(backend, solver):
    """In a closed box without decay, one step adds Σ rate·dt to the total
    amount (concentration × voxel volume), to float32 rounding."""
    shape, h, dt, n = (5, 4, 3), 2.0, 0.05, 40
    sim = _sim(backend, shape, h, dt, 1, {"unit": "pM", "initial": "1 pM", "diffusivity": "10 um^2/s"}, solver)
    pos = _agents(n, shape, h, seed=3)
    sim.fields.add_sources("cxcl13", backend.asarray(pos), 7.5, n)
    sim.operations[0].act(sim.state, dt)
    amount = backend.to_host(sim.state.arrays["fields"]).astype(np.float64).sum() * h**3
    before = np.prod(shape) * h**3
    assert amount - before == pytest.approx(7.5 * n * dt, rel=1e-5)
    assert not backend.to_host(sim.state.arrays["fields_source_cxcl13"]).any()  # consumed


def test_uptake_never_negative_and_exact(backend):
    """Uptake is first order and exact over the step: c·exp(−Σk·dt) ≥ 0 even
    for Σk·dt ≫ 1; voxels without agents keep their value."""
    shape, h, dt = (4, 3, 2), 2.5, 60.0
    sim = _sim(backend, shape, h, dt, 1, {"unit": "pM", "initial": "2 pM", "diffusivity": "0 um^2/s"})
    pos = np.array([[1.0, 1.0, 1.0], [1.2, 1.1, 1.3], [6.0, 6.0, 3.0]], np.float32)
    k = np.array([0.01, 0.02, 5.0])
    sim.fields.add_uptake("cxcl13", backend.asarray(pos), backend.asarray(k), 3)
    sim.operations[0].act(sim.state, dt)
    c = backend.to_host(sim.state.arrays["fields"][0])
    assert c[0, 0, 0] == pytest.approx(2.0 * math.exp(-0.03 * dt), rel=1e-5)
    assert 0.0 <= c[2, 2, 1] <= 1e-30
    assert c[3, 0, 0] == pytest.approx(2.0)
    assert (c >= 0).all()


def test_sample_reads_the_agent_voxel(backend):
    shape, h = (4, 3, 5), 2.0
    sim = _sim(backend, shape, h, 1.0, 1, {"unit": "pM", "diffusivity": "1 um^2/s"})
    values = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    sim.state.arrays["fields"][0] = backend.asarray(values)
    pos = _agents(50, shape, h, seed=4)
    out = backend.xp.zeros(50, dtype=np.float32)
    sim.fields.sample("cxcl13", backend.asarray(pos), 50, out)
    idx = np.floor(pos / h).astype(int)
    assert np.array_equal(backend.to_host(out), values[idx[:, 0], idx[:, 1], idx[:, 2]])


def _point_source(backend, n, steps, dt):
    h, d, lam, rate = 1.0, 1.0, 3.0, 100.0
    k = d / lam**2
    field = {"unit": "pM", "diffusivity": f"{d} um^2/s", "decay_rate": f"{k} 1/s"}
    sim = _sim(backend, (n, n, n), h, dt, steps, field)
    centre = np.full((1, 3), (n // 2 + 0.5) * h, np.float32)
    pos = backend.asarray(centre)
    for _ in range(steps):
        sim.fields.add_sources("cxcl13", pos, rate, 1)
        sim.operations[0].act(sim.state, dt)
    return backend.to_host(sim.state.arrays["fields"][0]).astype(np.float64), rate, d, lam


def test_point_source_steady_state_with_decay(cpu):
    """Steady state around a point source of rate S with decay k:
    C(r) = S·e^(−r/λ)/(4πDr), λ = √(D/k) = 3h, within 5% for 5 ≤ r/h ≤ 10.
    Closer in, the 7-point lattice's anisotropy around a one-voxel source
    reaches ~15% at r = 2h (on the axes; the same with the explicit solver)."""
    n = 33
    c, rate, d, lam = _point_source(cpu, n, 2000, 0.02)
    m = n // 2
    idx = np.indices(c.shape).reshape(3, -1).T
    r = np.linalg.norm(idx - m, axis=1)
    sel = (r >= 5) & (r <= 10)
    exact = rate * np.exp(-r[sel] / lam) / (4 * np.pi * d * r[sel])
    got = c.reshape(-1)[sel]
    assert np.max(np.abs(got / exact - 1.0)) < 0.05


def test_point_source_cpu_matches_cuda():
    """The point-source run (sources, decay, 3-D LOD) agrees on both backends to 1e-5."""
    out = [_point_source(select_backend(b), 8, 3, 0.5)[0] for b in ("cpu", "cuda")]
    assert np.max(np.abs(out[0] - out[1])) <= 1e-5 * np.max(out[0])
