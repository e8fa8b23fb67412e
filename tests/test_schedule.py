"""Output schedules: step counts, simulated times and per-phase or per-clock
mappings become exact whole-step periods per phase; writers follow them."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from alveosim import Simulation, load_config
from alveosim.config import ConfigError
from alveosim.schedule import schedule_trigger, steps_per_phase
from alveosim.triggers import EveryTime

from builders import phase_data, walker_data

ROOT = Path(__file__).resolve().parent.parent


def phase(name, clock, duration, dt):
    return SimpleNamespace(name=name, clock=clock, dt=dt, n_steps=round(duration / dt))


# the quickstart's shape: 4 days of 2 h steps, then 5 s of 2 ms steps
QUICK = [phase("conditioning", "tissue", 4 * 86400.0, 7200.0), phase("blood_flow", "blood", 5.0, 0.002)]


def writes_per_phase(schedule, phases):
    """Steps at which the trigger fires, per phase name, stepping time the
    way the run loop does (phase start + phase step x dt)."""
    trigger = schedule_trigger(schedule, phases)
    out, step, start = {}, 0, 0.0
    for p in phases:
        fired = []
        for k in range(1, p.n_steps + 1):
            step += 1
            if trigger(step, start + k * p.dt, p.dt):
                fired.append(k)
        out[p.name] = fired
        start += p.n_steps * p.dt
    return out


def test_step_counts_and_times_give_exact_writes_per_phase():
    counts = {k: len(v) for k, v in writes_per_phase(12, QUICK).items()}
    assert counts == {"conditioning": 4, "blood_flow": 208}  # 48 // 12, 2500 // 12
    assert {k: len(v) for k, v in writes_per_phase("1 d", QUICK).items()} == {"conditioning": 4, "blood_flow": 0}
    blood_only = writes_per_phase({"blood": "2 s"}, QUICK)
    assert blood_only == {"conditioning": [], "blood_flow": [1000, 2000]}
    # a phase's own name wins over its clock
    both = writes_per_phase({"tissue": "1 d", "blood_flow": 500, "blood": "1 s"}, QUICK)
    assert both == {"conditioning": [12, 24, 36, 48], "blood_flow": [500, 1000, 1500, 2000, 2500]}


def test_a_dt_interval_fires_every_step_four_days_in():
    """checkpoint_every = dt = 2 ms after 4 days: every one of the 2,500 blood
    steps (a time compared as floats with an absolute tolerance missed 280)."""
    assert steps_per_phase({"blood": "2 ms"}, QUICK) == [None, 1]
    assert len(writes_per_phase({"blood": "2 ms"}, QUICK)["blood_flow"]) == 2500
    # the time-based trigger for user operations fires at every step too
    start, dt = QUICK[0].n_steps * QUICK[0].dt, 0.002
    assert sum(EveryTime(dt)(0, start + k * dt, dt) for k in range(1, 2501)) == 2500
    assert sum(EveryTime(0.05)(0, start + k * dt, dt) for k in range(1, 2501)) == 100


@pytest.mark.parametrize("value, message", [
    ("2 s", "2 s is not a whole number of steps of phase 'conditioning' (dt 7200 s)"),
    ("{blod: 2 s}", "'blod' is neither a phase (conditioning, blood_flow) nor a clock (tissue, blood)"),
    ("2.5", "give a whole number of steps, or a time with a unit such as '2.5 s'"),
    ("0", "a step count must be at least 1, got 0"),
    ("3 kg", "expected a step count or a time such as '2 s'"),
])
def test_bad_schedules_are_refused_with_one_line(value, message):
    with pytest.raises(ConfigError) as err:
        load_config(ROOT / "configs" / "quickstart.yaml", [f"output.snapshot_every={value}"])
    (problem,) = err.value.problems
    assert "\n" not in problem and "output.snapshot_every" in problem and message in problem


def test_schedules_round_trip_through_the_resolved_config():
    cfg = load_config(ROOT / "configs" / "quickstart.yaml", ["output.snapshot_every={blood_flow: 1 s, tissue: 12}"])
    assert cfg.output.snapshot_every == {"blood_flow": 1.0, "tissue": 12}
    again = load_config(data=cfg.model_dump(mode="json"))
    assert again.output.snapshot_every == cfg.output.snapshot_every


def test_every_shipped_scenario_checkpoints_during_its_longest_phase():
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        cfg = load_config(path)
        longest = max(range(len(cfg.phases)), key=lambda k: cfg.phases[k].n_steps * cfg.phases[k].dt)
        every = steps_per_phase(cfg.output.checkpoint_every, cfg.phases)[longest]
        assert every is not None and every < cfg.phases[longest].n_steps, path.name


TWO_CLOCKS = walker_data("sched", 3, 20, [phase_data("conditioning", "3 h", "1 h"), phase_data("flow", "60 ms", "2 ms", clock="blood")],
                         size=("20 um", "20 um", "20 um"), division_rate="0 1/s", death_rate="0 1/s")


def test_writers_follow_the_schedules(tmp_path):
    """Snapshots only in the blood phase (no initial one), time-series rows
    per clock, checkpoints every 10 steps of flow (the last at the end)."""
    data = dict(TWO_CLOCKS, output={"progress": False, "snapshot_every": {"blood": "20 ms"},
                                    "timeseries_every": {"tissue": 1, "flow": "30 ms"},
                                    "checkpoint_every": {"blood": 10}, "checkpoint_keep": 100})
    sim = Simulation(load_config(data=data), backend="cpu", run_dir=tmp_path / "run")
    sim.run()
    snaps = sorted(int(p.name.split("_")[1]) for p in (tmp_path / "run" / "snapshots").glob("step_*"))
    assert snaps == [13, 23, 33]  # 20, 40, 60 ms of flow (flow starts after step 3)
    assert [r["step"] for r in sim.timeseries.rows] == [0, 1, 2, 3, 18, 33]
    checkpoints = sorted(int(p.stem[5:]) for p in (tmp_path / "run" / "checkpoints").glob("step_*.h5"))
    assert checkpoints == [13, 23, 33]


def test_validate_reports_a_bad_schedule_on_one_line():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sim", "validate", "configs/quickstart.yaml", "--set", "output.snapshot_every=2 s"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    (problem,) = done.stderr.strip().splitlines()
    assert problem.startswith("error:") and "not a whole number of steps of phase 'conditioning'" in problem
