"""Circulating tumour cells: the arrest rule is more likely at aggregated
platelets and next to occluded voxels (CPU and CUDA), CTCs are conserved
through arrival, arrest, outflow, extravasation and clearance, clots raise
arrests against the same run without the clot enhancement, and a resumed
run with CTCs equals the uninterrupted one."""

from pathlib import Path

import numpy as np
import pytest

from blood_channel import H, blood_config, channel_labels, channel_sim, put_agents, set_uniform_velocity, step
from alveosim import labels as L
from alveosim.backend import select_backend
from alveosim.blood.species import AGGREGATED
from alveosim.config import load_config
from alveosim.ctc import feature as ctc_feature
from alveosim.ctc import ledger
from alveosim.ctc.config import CtcConfig
from alveosim.ctc.species import ARRESTED, CIRCULATING, EXTRAVASATED
from alveosim.kernels.rules.ctc import ARREST_CLOT, ARREST_OPEN
from alveosim.simulation import Simulation
from alveosim.tumour import feature as tumour_feature
from alveosim.tumour.config import Tumour

REPO = Path(__file__).resolve().parent.parent
QUIET = {"spontaneous_activation_rate": "0 /s", "aggregation_rate": "0 /s", "density": "1 /uL", "diffusivity": "0 um^2/s"}


def test_arrest_is_enhanced_at_aggregates_and_next_to_occlusion(backend):
    """Still CTCs (no flow, no diffusion): those within the contact distance
    of an aggregated platelet or beside an occluded voxel arrest with p_clot,
    the others with p_open, each flagged by its fate."""
    shape = (40, 5, 5)
    xp = backend.xp
    labels = channel_labels(*shape)
    occluded = np.zeros(shape, np.uint8)
    occluded[30, 2, 2] = 1
    n = 3000
    rng = np.random.default_rng(0)
    pos = np.zeros((n, 3), np.float32)
    group = np.arange(n) % 3  # 0: near an aggregate, 1: beside the occlusion, 2: open
    pos[:, 1:] = (2.5 + 0.4 * rng.random((n, 2))) * H
    pos[group == 0, 0] = 10.5 * H
    pos[group == 1, 0] = 29.5 * H
    pos[group == 2, 0] = 20.5 * H
    platelets = np.array([[10.5 * H, 2.5 * H, 2.5 * H], [20.5 * H, 2.5 * H, 2.5 * H]], np.float32)
    pl_state = np.array([AGGREGATED, 0], np.uint8)  # the platelet among the open CTCs is not aggregated
    contact = 3.0
    dims = np.maximum(1, np.floor(np.array(shape) * H / contact)).astype(np.int64)
    grid = np.array([0.0, 0.0, 0.0, np.max(np.array(shape) * H / dims)])
    keys = np.array([((int(p[0] // grid[3]) * dims[1] + int(p[1] // grid[3])) * dims[2] + int(p[2] // grid[3])) for p in platelets], np.int64)
    order = np.argsort(keys).astype(np.int64)
    d = backend.asarray
    dpos, state, fate = d(pos), xp.zeros(n, np.uint8), xp.zeros(n, np.int8)
    backend.kernels("ctc").ctc_step(
        n, d(np.array([n], np.int64)), dpos, d(np.arange(n, dtype=np.int64)), state, 5, 1, 2, 9, 0.0, 1e-3, H,
        d(labels), d(occluded), xp.zeros(shape + (3,), np.float32), 0.1, 0.8, d(platelets), d(pl_state), contact, d(grid), d(dims), d(keys[order]), d(order), fate,
    )
    fate, state = backend.to_host(fate), backend.to_host(state)
    np.testing.assert_array_equal(backend.to_host(dpos), pos)
    assert set(np.unique(fate[group < 2])) <= {0, ARREST_CLOT} and set(np.unique(fate[group == 2])) <= {0, ARREST_OPEN}
    np.testing.assert_array_equal(state == ARRESTED, fate != 0)
    for g, p in ((0, 0.8), (1, 0.8), (2, 0.1)):
        frac = (fate[group == g] != 0).mean()
        assert frac == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / 1000))


def ctc_channel(backend, enhancement: float, seed: int):
    """A channel with CTCs arriving at the inlet and a ring of aggregated
    platelets around its middle; the CTC and tumour features seeded."""
    ctc = {"concentration": "3e7 /uL", "arrest_rate": "5 /s", "clot_enhancement": enhancement, "contact_distance": "3 um", "extravasation_time": "1 h", "clearance_rate": "1 /h"}
    sim = channel_sim(backend, shape=(14, 5, 5), blood=blood_config(platelets=QUIET), seed=seed)
    sim.config.ctc = CtcConfig.model_validate(ctc)
    sim.config.tumour = Tumour.model_validate({"doubling_time": "3 d", "seeding": {"mode": "capillary", "count": 0}})
    tumour_feature.initialize(sim)
    ctc_feature.initialize(sim)
    sim.operations += ctc_feature.operations(sim)
    ring = [[7.5 * H, (j + 0.5) * H, (k + 0.5) * H] for j in (1, 2, 3) for k in (1, 2, 3)]
    put_agents(sim, "platelet", ring, state=np.full(9, AGGREGATED, np.uint8))
    set_uniform_velocity(sim, 500.0)
    return sim


def fate_step(sim, dt: float = 3600.0) -> None:
    """The CTC tissue operation once (outflow of the circulating, extravasation, clearance)."""
    fate = [op for op in sim.operations if type(op).__name__ == "CtcFate"][0]
    fate.act(sim.state, dt)


def balance(sim) -> dict:
    v = ledger.values(sim.state)
    st = sim.backend.to_host(sim.state.pool("ctc").live("state"))
    held = {"circulating": int((st == CIRCULATING).sum()), "arrested": int((st == ARRESTED).sum()), "extravasated": int((st == EXTRAVASATED).sum())}
    return v, held


def test_ctcs_are_conserved_and_extravasate_into_tumour_cells(cpu):
    """CPU only: the rule's CUDA side is the arrest test's, and the
    simulator would take minutes over the blood operations."""
    backend = cpu
    sim = ctc_channel(backend, 20.0, seed=3)
    step(sim, 40, dt=2e-3)
    v, held = balance(sim)
    assert v["ctc_arrived"] > 30 and v["ctc_outflow"] > 0 and held["arrested"] > 0
    assert v["ctc_arrived"] == held["circulating"] + held["arrested"] + v["ctc_outflow"]
    assert held["arrested"] == v["ctc_arrested_open"] + v["ctc_arrested_at_clot"]
    for _ in range(2):
        fate_step(sim)
    v, held = balance(sim)
    assert held["circulating"] == 0 and v["ctc_extravasated"] > 0 and v["ctc_cleared"] > 0
    assert v["ctc_arrived"] == held["arrested"] + held["extravasated"] + v["ctc_outflow"] + v["ctc_cleared"]
    assert held["extravasated"] == v["ctc_extravasated"] == sim.state.pool("tumour").n
    pool = sim.state.pool("ctc")
    np.testing.assert_array_equal(np.sort(backend.to_host(pool.live("tumour"))[backend.to_host(pool.live("state")) == EXTRAVASATED]),
                                  np.sort(backend.to_host(sim.state.pool("tumour").uid)))
    labels = backend.to_host(sim.state.arrays["labels"])
    ijk = np.floor(backend.to_host(sim.state.pool("tumour").live("pos")) / H).astype(int)
    assert np.isin(labels[ijk[:, 0], ijk[:, 1], ijk[:, 2]], (L.AIR, L.SEPTUM)).all()  # in tissue, beside the capillary
    obs = [op for op in sim.operations if type(op).__name__ == "CtcFate"][0].observe(sim.state)
    assert obs["metastatic_foci"] == held["extravasated"]


def test_clots_raise_arrests_over_the_same_run_without_enhancement(cpu):
    """Over 3 seeds, the arrests at the ring of aggregates with a 20x clot
    enhancement exceed those without it in every seed (and 3x in sum), and
    so do the arrests in all."""
    at_clot, total = {1.0: [], 20.0: []}, {1.0: [], 20.0: []}
    for seed in (1, 2, 3):
        for e in (1.0, 20.0):
            sim = ctc_channel(cpu, e, seed)
            step(sim, 40, dt=2e-3)
            v = ledger.values(sim.state)
            at_clot[e].append(v["ctc_arrested_at_clot"])
            total[e].append(v["ctc_arrested_at_clot"] + v["ctc_arrested_open"])
    assert all(a > b for a, b in zip(at_clot[20.0], at_clot[1.0]))
    assert sum(at_clot[20.0]) > 3 * sum(at_clot[1.0])
    assert sum(total[20.0]) > sum(total[1.0])


def test_resume_with_ctcs_is_bit_identical(tmp_path):
    from test_checkpoint import assert_same_state, host_state

    overrides = ["domain.size=[50 um, 50 um, 25 um]", "output.progress=false", "output.timeseries_every=1", "output.checkpoint_every=1 h",
                 "phases=[{name: disease, clock: tissue, duration: 3 h, dt: 1 h, blood_windows: {every: 1 h, duration: 20 ms, dt: 2 ms}}]",
                 "blood.platelets.spontaneous_activation_rate=100 /s", "blood.platelets.activation_delay=0 s",
                 "ctc.concentration=5e6 /uL", "ctc.arrest_rate=50 /s", "ctc.extravasation_time=1 h"]
    cfg = load_config(REPO / "configs" / "pancreatic_metastasis.yaml", overrides)
    cpu = select_backend("cpu")
    full = Simulation(cfg, backend=cpu, run_dir=tmp_path / "full")
    full.run()
    Simulation(cfg, backend=cpu, run_dir=tmp_path / "split").run(until=3600.0)
    from alveosim.io.resume import resume

    second = resume(tmp_path / "split" / "checkpoints" / "step_0000000001.h5", backend=cpu)
    second.run()
    v = ledger.values(full.state)
    assert v["ctc_arrived"] > 0 and v["ctc_extravasated"] > 0 and full.state.pool("ctc").n > 0
    assert_same_state(host_state(full), host_state(second))
    assert (tmp_path / "full" / "timeseries.csv").read_text() == (tmp_path / "split" / "timeseries.csv").read_text()


def test_ctc_blood_step_reads_nothing_from_the_device():
    """Arrival and the move-and-arrest step, counted on the cuda backend
    (the simulator): kernel launches and array operations, no sync."""
    from alveosim.benchmarks.counting import CountingBackend

    with CountingBackend() as be:
        sim = ctc_channel(be, 20.0, seed=1)
        step(sim, 1, dt=2e-3)  # attach, and a first step
        ops = [op for op in sim.operations if type(op).__name__ in ("CtcArrival", "CtcStep")]
        be.counts.reset()
        for _ in range(3):
            for op in ops:
                op.act(sim.state, 2e-3)
            sim.state.step += 1
            syncs, launches, _ = be.counts.snapshot()
            assert syncs == 0, be.counts.sites
            assert launches >= 4
            be.counts.reset()
