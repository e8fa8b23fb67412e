"""Blood windows inside a tissue phase and clot resolution: the window runs
the blood operations for its steps at the scheduled tissue steps, clots it
leaves persist as occlusion, aggregates resolve with the configured
half-life and reopen the flow, a resumed run equals the uninterrupted one,
and bad window configs are refused in one line."""

import math
from pathlib import Path

import numpy as np
import pytest

from blood_channel import H, blood_config, channel_sim, put_agents
from alveosim.backend import select_backend
from alveosim.blood.settle import WINDOW_EVERY, host_points
from alveosim.blood.species import AGGREGATED
from alveosim.blood.windows import window_step
from alveosim.config import load_config
from alveosim.config.loader import ConfigError
from alveosim.io.resume import resume
from alveosim.operations import BLOOD, TISSUE, Operation
from alveosim.simulation import Simulation

REPO = Path(__file__).resolve().parent.parent
CLOT_VOXELS = [(6, j, k) for j in (1, 2) for k in (1, 2, 3)]  # 6 of the 9 lumen voxels of slab x = 6


def tissue_phase(steps: int, windows: dict | None = None) -> list[dict]:
    """One tissue phase of ``steps`` 1-min steps, with optional blood windows."""
    phase = {"name": "disease", "clock": "tissue", "duration": f"{steps} min", "dt": "1 min"}
    if windows is not None:
        phase["blood_windows"] = windows
    return [phase]


class Recorder(Operation):
    """Records (state.step, dt) each time it acts on its clock."""

    def __init__(self, clock):
        super().__init__()
        self.clocks = frozenset({clock})
        self.calls = []

    def act(self, state, dt):
        self.calls.append((state.step, dt))


class AfterStep(Operation):
    """Writer: a copy of ``occluded`` and the aggregated platelets after each step."""

    writer = True

    def __init__(self):
        super().__init__()
        self.seen = {}

    def act(self, state, dt):
        be = state.backend
        platelets = state.pool("platelet").to_host()
        self.seen[state.step] = (be.to_host(state.arrays["occluded"]).copy(), np.sort(platelets["uid"][platelets["state"] == AGGREGATED]))


def put_clot(sim):
    """Two aggregated platelets (one aggregate per voxel) in each of CLOT_VOXELS: fraction 0.6 occludes."""
    pos = [[(i + 0.3 + 0.4 * s) * H, (j + 0.5) * H, (k + 0.5) * H] for (i, j, k) in CLOT_VOXELS for s in (0, 1)]
    n = len(pos)
    put_agents(sim, "platelet", pos, state=np.full(n, AGGREGATED, np.uint8), aggregate=np.repeat(np.arange(0, n, 2), 2), activated_by=np.full(n, 2, np.uint8))


def clot_mask(shape):
    mask = np.zeros(shape, dtype=np.uint8)
    for v in CLOT_VOXELS:
        mask[v] = 1
    return mask


def quiet_blood(vesicles=None, **extra):
    """Platelets that never activate or aggregate by themselves."""
    return blood_config(platelets={"spontaneous_activation_rate": "0 /s", "aggregation_rate": "0 /s"}, vesicles=vesicles, **extra)


def test_window_runs_the_blood_operations_at_the_scheduled_tissue_steps(cpu):
    sim = channel_sim(cpu, blood=quiet_blood(), phases=tissue_phase(6, {"every": "2 min", "duration": "10 ms", "dt": "2 ms"}))
    blood, tissue = Recorder(BLOOD), Recorder(TISSUE)
    sim.operations[-1:-1] = [blood, tissue]  # before the time series
    sim.run()
    expected = [window_step(6, 5, s, k) for s in (2, 4, 6) for k in range(5)]
    assert [step for step, _ in blood.calls] == expected
    assert all(dt == pytest.approx(2e-3) for _, dt in blood.calls)
    assert [step for step, _ in tissue.calls] == list(range(6))  # once per tissue step, on the tissue step count
    assert sim.state.step == 6 and sim.state.values["blood_windows"] == 3
    assert min(expected) >= sim.total_steps  # window steps never share a random key with the run's own steps


def test_host_points_inside_a_window_are_its_first_last_and_every_25th_step(cpu):
    sim = channel_sim(cpu, blood=quiet_blood(), phases=tissue_phase(4, {"every": "2 min", "duration": "120 ms", "dt": "2 ms"}))
    hosts = host_points(sim.config)
    for tissue_step in (2, 4):
        fired = [k for k in range(60) if hosts(window_step(4, 60, tissue_step, k) + 1, 0.0, 2e-3)]
        assert fired == [0, 24, 49, 59]
    assert hosts.longest_gap(window_step(4, 60, 2, 3) + 1) == WINDOW_EVERY


def test_window_clot_persists_as_occlusion_and_free_blood_is_replaced(cpu):
    sim = channel_sim(cpu, blood=quiet_blood(vesicles={"plasma_concentration": "1e11 /mL"}), phases=tissue_phase(3, {"every": "2 min", "duration": "4 ms", "dt": "2 ms"}))
    put_clot(sim)
    clot = np.sort(sim.state.pool("platelet").to_host()["uid"])
    free_before = set(sim.state.pool("ev").to_host()["uid"])
    seen = AfterStep()
    sim.operations.append(seen)
    sim.run()
    mask = clot_mask(seen.seen[2][0].shape)
    assert not seen.seen[1][0].any()  # no window yet: nothing occluded
    np.testing.assert_array_equal(seen.seen[2][0], mask)  # the window occluded the clot's voxels
    np.testing.assert_array_equal(seen.seen[3][0], mask)  # and they stay occluded in the next tissue step
    np.testing.assert_array_equal(seen.seen[3][1], clot)  # the same aggregated platelets
    assert not free_before & set(sim.state.pool("ev").to_host()["uid"])  # the window's blood is fresh
    assert sim.state.pool("ev").n > 0 and sim.state.pool("platelet").n > clot.size  # fresh EVs and free platelets


def test_aggregates_resolve_whole_with_the_half_life(cpu):
    half_life_min, steps = 60.0, 4  # 4 x 30 min = 2 half-lives
    sim = channel_sim(cpu, shape=(40, 12, 12), blood=quiet_blood(clot_half_life=f"{half_life_min} min"),
                      phases=[{"name": "disease", "clock": "tissue", "duration": f"{steps * 30} min", "dt": "30 min"}])
    rng = np.random.default_rng(0)
    singles, pairs = 4000, 300
    pos = (np.array([1, 1, 1]) + rng.random((singles + 2 * pairs, 3)) * np.array([38, 10, 10])) * H
    aggregate = np.concatenate([np.arange(singles), np.repeat(singles + 2 * np.arange(pairs), 2)])
    n = singles + 2 * pairs
    put_agents(sim, "platelet", pos, state=np.full(n, AGGREGATED, np.uint8), aggregate=aggregate)
    sim.run()
    left = sim.state.pool("platelet").to_host()
    survive = 2.0 ** (-steps * 30 / half_life_min)
    kept = (left["aggregate"] < singles).sum() / singles
    assert abs(kept - survive) < 4 * math.sqrt(survive * (1 - survive) / singles)  # binomial tolerance
    _, sizes = np.unique(left["aggregate"][left["aggregate"] >= singles], return_counts=True)
    assert (sizes == 2).all() and 0 < sizes.size < pairs  # aggregates resolve whole
    assert sim.state.values["clot_resolved_platelets"] == n - left["aggregate"].size


def test_resolution_reopens_occluded_voxels_and_restores_the_flow(backend):
    sim = channel_sim(backend, blood=quiet_blood(clot_half_life="1 s"), mean_speed="0.2 mm/s",
                      phases=[{"name": "flow", "clock": "blood", "duration": "4 ms", "dt": "2 ms"}, *tissue_phase(1)])
    q0 = sim.state.values["flow_rate_um3_s"]
    put_clot(sim)
    seen = AfterStep()
    sim.operations.append(seen)
    sim.run(until=0.004)  # the blood phase occludes the clot's voxels
    np.testing.assert_array_equal(seen.seen[2][0], clot_mask(seen.seen[2][0].shape))
    assert sim.state.values["flow_rate_um3_s"] < 0.8 * q0
    sim.run()  # step 3, tissue: every aggregate resolves (p = 1 - 2^-60)
    assert not seen.seen[3][0].any() and seen.seen[3][1].size == 0
    assert sim.state.values["flow_rate_um3_s"] == pytest.approx(q0, rel=1e-3)


def course_config(tmp_path):
    overrides = ["domain.size=[50 um, 50 um, 25 um]", "output.progress=false", "output.timeseries_every=1", "output.checkpoint_every=1 h",
                 "phases=[{name: disease, clock: tissue, duration: 3 h, dt: 1 h, blood_windows: {every: 1 h, duration: 20 ms, dt: 2 ms}}]",
                 "blood.clot_half_life=1 h", "blood.platelets.spontaneous_activation_rate=100 /s", "blood.platelets.activation_delay=0 s"]
    return load_config(REPO / "configs" / "pancreatic_course.yaml", overrides)


def test_resume_across_windows_is_bit_identical(tmp_path):
    from test_checkpoint import assert_same_state, host_state

    cfg = course_config(tmp_path)
    cpu = select_backend("cpu")
    full = Simulation(cfg, backend=cpu, run_dir=tmp_path / "full")
    full.run()
    Simulation(cfg, backend=cpu, run_dir=tmp_path / "split").run(until=3600.0)
    second = resume(tmp_path / "split" / "checkpoints" / "step_0000000001.h5", backend=cpu)
    second.run()
    assert full.state.values["blood_windows"] == 3
    assert full.state.values["clot_resolved_platelets"] > 0  # aggregates formed in windows and resolved
    assert_same_state(host_state(full), host_state(second))
    assert (tmp_path / "full" / "timeseries.csv").read_text() == (tmp_path / "split" / "timeseries.csv").read_text()


@pytest.mark.parametrize("change, message", [
    ("phases.0.blood_windows.dt=3 ms", "must divide its duration"),
    ("phases.0.blood_windows.every=90 min", "not a whole number of the phase's dt"),
    ("phases=[{name: flow, clock: blood, duration: 1 s, dt: 2 ms, blood_windows: {every: 2 ms, duration: 2 ms, dt: 2 ms}}]", "belong in a tissue phase"),
    ("blood=null", "need the blood side"),
])
def test_bad_windows_are_refused_in_one_line(change, message):
    with pytest.raises(ConfigError) as err:
        load_config(REPO / "configs" / "pancreatic_course.yaml", [change])
    lines = [line for line in str(err.value).splitlines() if message in line]
    assert len(lines) == 1, str(err.value)


def test_run_size_counts_the_window_steps():
    """20 daily windows of 2000 blood steps beside 480 tissue steps; windows
    long enough to pass the step limit are refused before anything runs."""
    from alveosim.runsize import MAX_STEPS, run_size_problems, total_steps

    cfg = load_config(REPO / "configs" / "pancreatic_course.yaml")
    assert total_steps(cfg) == 480 + 20 * 2000
    assert not run_size_problems(cfg)
    long = load_config(REPO / "configs" / "pancreatic_course.yaml", ["phases.0.blood_windows.duration=20 min"])
    assert total_steps(long) == 480 + 20 * 600_000 > MAX_STEPS
    assert "disease 12,000,480" in run_size_problems(long)[0]
