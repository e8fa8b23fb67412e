"""The run loop: determinism across backends and thread counts, phases and
clocks, triggers, clean stop, and the run command's directory handling."""

import numba
import numpy as np
import pytest

from alveosim import Simulation, load_config
from alveosim.cli import main
from alveosim.operations import TISSUE, Operation
from alveosim.triggers import After, At, EveryTime, Periodic

from builders import EXTENSION_LINE

TINY = """\
name: tiny
seed: 11
domain: {size: [40 um, 40 um, 20 um], voxel: 2.5 um}
species:
  walker: {count: 60, radius: 4 um, diffusivity: 2 um^2/s, division_rate: 2 1/h, death_rate: 1 1/h, crowding_limit: 4}
phases:
  - {name: first, clock: tissue, duration: 10 min, dt: 1 min}
  - {name: second, clock: blood, duration: 2 s, dt: 0.5 s}
  - {name: third, clock: tissue, duration: 5 min, dt: 1 min}
output: {timeseries_every: 2, progress: false}
""" + EXTENSION_LINE


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return load_config(path)


def final_agents(cfg, backend):
    sim = Simulation(cfg, backend=backend)
    sim.run()
    return sim, sim.state.pool("walker").to_host()


def test_cpu_and_cuda_simulator_give_identical_agents(tiny):
    _, a = final_agents(tiny, "cpu")
    _, b = final_agents(tiny, "cuda")
    assert len(a["uid"]) == len(b["uid"]) and len(a["uid"]) > 0
    for name in a:
        assert np.array_equal(a[name], b[name]), name


def test_one_and_two_threads_identical(tiny):
    results = []
    for threads in (1, 2):
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        results.append(final_agents(tiny, "cpu")[1])
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for name in results[0]:
        assert np.array_equal(results[0][name], results[1][name]), name


def test_phases_switch_dt_and_clock(tiny):
    sim, agents = final_agents(tiny, "cpu")
    st = sim.state
    assert st.step == 10 + 4 + 5
    assert st.time == pytest.approx(600 + 2 + 300)
    assert st.phase_index == 3
    rows = sim.timeseries.rows
    assert rows[0]["step"] == 0 and rows[-1]["step"] == 19
    assert {r["phase"] for r in rows} == {"first", "second", "third"}
    # walkers act on the tissue clock only: the blood phase leaves them untouched
    births = {r["step"]: r["walker_births"] for r in rows}
    assert births[12] == births[14]
    # ledger: live walkers = initial + births - deaths
    last = rows[-1]
    assert last["walker_count"] == 60 + last["walker_births"] - last["walker_deaths"]


def test_user_operation_with_trigger_and_clock(tiny):
    calls = []

    class Probe(Operation):
        clocks = frozenset({TISSUE})

        def act(self, state, dt):
            calls.append((state.step, dt))

    sim = Simulation(tiny, backend="cpu")
    sim.operations.insert(0, Probe(Periodic(3)))
    sim.run()
    # the trigger sees the step being taken (3, 6, 9, 15, 18); blood step 12 is skipped
    assert calls == [(2, 60.0), (5, 60.0), (8, 60.0), (14, 60.0), (17, 60.0)]


def test_triggers():
    assert [s for s in range(1, 10) if Periodic(4)(s, 0.0, 1.0)] == [4, 8]
    fired = [t for t in np.arange(1, 11) * 30.0 if EveryTime(60.0)(0, t, 30.0)]
    assert fired == [60.0, 120.0, 180.0, 240.0, 300.0]
    at = At(45.0)
    assert [t for t in np.arange(1, 6) * 20.0 if at(0, t, 20.0)] == [60.0]
    assert [t for t in (10.0, 50.0, 90.0) if After(50.0)(0, t, 10.0)] == [50.0, 90.0]


def test_stop_request_ends_after_current_step_and_writes_final_row(tiny):
    sim = Simulation(tiny, backend="cpu")

    class StopAtFour(Operation):
        def act(self, state, dt):
            if state.step == 3:
                sim.request_stop()

    sim.operations.insert(0, StopAtFour())
    result = sim.run()
    assert result.interrupted and sim.state.step == 4
    assert sim.timeseries.rows[-1]["step"] == 4


def test_run_until_then_continue_equals_uninterrupted(tiny):
    whole, a = final_agents(tiny, "cpu")
    sim = Simulation(tiny, backend="cpu")
    sim.run(until=300.0)
    assert sim.state.step == 5
    sim.run()
    b = sim.state.pool("walker").to_host()
    for name in a:
        assert np.array_equal(a[name], b[name]), name


def test_run_command_writes_a_new_run_dir_each_time(tmp_path, capsys):
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(TINY)
    out = tmp_path / "runs" / "r"
    assert main(["run", str(cfg), "--out", str(out), "--no-progress", "--backend", "cpu"]) == 0
    assert main(["run", str(cfg), "--out", str(out), "--no-progress", "--backend", "cpu", "--seed", "3"]) == 0
    assert (out / "config.yaml").exists() and (tmp_path / "runs" / "r-1" / "config.yaml").exists()
    assert "seed: 3" in (tmp_path / "runs" / "r-1" / "config.yaml").read_text()
    lines = (out / "timeseries.csv").read_text().splitlines()
    assert lines[0].startswith("step,time_s,phase,walker_count")
    assert len(lines) == 1 + 11  # header, step 0, every 2nd of 19 steps, final step
    assert "walker cells" in capsys.readouterr().out  # the headline, with plain names
