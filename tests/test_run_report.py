"""The run report: run.json in every run directory (its schema and
outcomes), the headline numbers, heartbeat lines when stdout is not a
terminal, per-phase rates, and the time series as a pandas DataFrame."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from alveosim.config import config_hash, load_config
from alveosim.operations import Operation
from alveosim.report import headline, load_run
from alveosim.simulation import Simulation

from builders import phase_data, walker_data

ROOT = Path(__file__).resolve().parents[1]


def data(**output):
    return walker_data("report", 3, 60, [phase_data("first", "6 min", "1 min"), phase_data("second", "4 min", "30 s")], size=("30 um", "25 um", "20 um"),
                       division_rate="1e-3 1/s", output={"progress": False, "timeseries_every": 2, **output})


def check_schema(record: dict) -> None:
    """Every documented key of run.json with its type."""
    types = {"schema": int, "outcome": str, "versions": dict, "host": str, "platform": str, "command": list,
             "backend": str, "config": dict, "started": str, "finished": str, "wall_s": float, "setup_s": float,
             "run_s": float, "steps": int, "simulated_time_s": float, "reached_end": bool, "phases": list, "headline": dict}
    for key, kind in types.items():
        assert isinstance(record[key], kind), (key, record[key])
    assert record["schema"] == 1 and record["outcome"] in ("completed", "interrupted", "failed")
    assert record["error"] is None or isinstance(record["error"], str)
    assert record["git_commit"] is None or isinstance(record["git_commit"], str)
    assert {"python", "alveosim", "numpy", "numba"} <= set(record["versions"])
    assert set(record["config"]) == {"name", "hash", "source"}
    for phase in record["phases"]:
        assert set(phase) == {"name", "clock", "steps", "wall_s", "steps_per_s"}
    for value in record["headline"].values():
        assert set(value) == {"value", "unit"} and isinstance(value["unit"], str)
    assert record["wall_s"] == pytest.approx(record["setup_s"] + record["run_s"])
    assert record["run_s"] >= sum(p["wall_s"] for p in record["phases"])


def test_run_command_writes_run_json_heartbeats_and_a_headline(tmp_path):
    cfg_file = tmp_path / "report.yaml"
    cfg_file.write_text(yaml.safe_dump(data(progress=True)))
    run = subprocess.run([sys.executable, "-m", "sim", "run", str(cfg_file), "--out", str(tmp_path / "run")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    check_schema(record)
    assert record["outcome"] == "completed" and record["error"] is None
    assert record["config"]["hash"] == config_hash(load_config(cfg_file))
    assert [(p["name"], p["steps"]) for p in record["phases"]] == [("first", 6), ("second", 8)]
    assert record["steps"] == 14 and record["simulated_time_s"] == pytest.approx(600.0)
    assert record["headline"]["walker cells"]["unit"] == "cells"
    # stdout is a pipe, not a terminal: plain heartbeat lines, one as each phase begins
    beats = [line for line in run.stdout.splitlines() if "steps/s, phase ETA" in line]
    assert any("phase 1/2 first" in b for b in beats) and any("phase 2/2 second" in b for b in beats)
    assert "walker cells" in run.stdout and "walker_count" not in run.stdout  # headline, not the raw row
    verbose = subprocess.run([sys.executable, "-m", "sim", "run", str(cfg_file), "--out", str(tmp_path / "run2"), "--verbose",
                              "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert verbose.returncode == 0, verbose.stderr
    assert "walker_count" in verbose.stdout and "phase ETA" not in verbose.stdout


class Boom(Operation):
    """Fails (or asks to stop) when the run reaches step ``at``."""

    def __init__(self, at: int, stop: bool = False):
        super().__init__()
        self.at, self.stop = at, stop

    def act(self, state, dt):
        if state.step + 1 == self.at:
            if self.stop:
                self.sim.request_stop()
            else:
                raise RuntimeError("boom at step 3")


def test_failed_and_interrupted_runs_are_recorded(tmp_path):
    sim = Simulation(load_config(data=data()), backend="cpu", run_dir=tmp_path / "failed")
    sim.operations.insert(0, Boom(3))
    with pytest.raises(RuntimeError):
        sim.run()
    record = json.loads((tmp_path / "failed" / "run.json").read_text())
    check_schema(record)
    assert record["outcome"] == "failed" and record["error"] == "RuntimeError: boom at step 3"
    assert record["steps"] == 2

    sim = Simulation(load_config(data=data()), backend="cpu", run_dir=tmp_path / "stopped")
    sim.operations.insert(0, Boom(8, stop=True))
    result = sim.run()
    assert result.interrupted and [p["steps"] for p in result.phases] == [6, 2]
    record = json.loads((tmp_path / "stopped" / "run.json").read_text())
    assert record["outcome"] == "interrupted" and record["steps"] == 8


def test_headline_names_units_and_scales():
    rows = [{"step": 0, "im_reprogrammed_fraction": 0.1}, {"step": 5, "im_reprogrammed_fraction": 0.6, "clot_volume_um3": 267.9,
            "trm_tumour_distance_um": float("nan"), "flow_rate_um3_s": 4e5}]
    numbers = headline(rows)
    assert numbers["interstitial macrophages reprogrammed"] == pytest.approx((60.0, "%"))
    assert numbers["clot volume"] == (267.9, "µm³")
    value, unit = numbers["TRM to nearest tumour cell (mean)"]
    assert math.isnan(value) and unit == "µm"
    assert len(numbers) == 3  # columns that are not headline measures are left out


def test_load_run_gives_a_dataframe(tmp_path):
    pd = pytest.importorskip("pandas")
    sim = Simulation(load_config(data=data()), backend="cpu", run_dir=tmp_path / "run")
    sim.run()
    frame = load_run(tmp_path / "run")
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["step"]) == [r["step"] for r in sim.timeseries.rows]
    assert list(frame["phase"].unique()) == ["first", "second"]
    assert frame["walker_count"].iloc[-1] == sim.state.pool("walker").n
    assert frame.attrs["run"]["outcome"] == "completed"
    assert headline(frame) == headline(sim.timeseries.rows)


def test_eta_uses_the_current_phase_rate(monkeypatch):
    """Phase 1 takes 1 s a step, phase 2 0.01 s: half-way through phase 2
    the ETA is 0.5 s (its own rate), not what the run's mean rate predicts."""
    import io
    from types import SimpleNamespace

    import alveosim.progress as progress

    clock = [0.0]
    monkeypatch.setattr(progress.wallclock, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(progress, "HEARTBEAT_S", 0.0)
    phases = [SimpleNamespace(name="slow", n_steps=10, dt=60.0), SimpleNamespace(name="fast", n_steps=100, dt=0.001)]
    state = SimpleNamespace(step=0, phase_index=0, phase_step=0, time=0.0)
    fake = SimpleNamespace(config=SimpleNamespace(phases=phases), state=state)
    out = io.StringIO()
    with progress.RunProgress(fake, terminal=False, stream=out) as bar:
        for index, phase in enumerate(phases):
            state.phase_index, state.phase_step = index, 0
            for _ in range(phase.n_steps):
                clock[0] += 1.0 if index == 0 else 0.01
                state.step += 1
                state.phase_step += 1
                bar.update(state)
                if index == 1 and state.phase_step == 50:
                    line = out.getvalue().splitlines()[-1]
    assert "phase 2/2 fast: step 50/100" in line
    assert "100.0 steps/s, phase ETA 0:00:00" in line  # 50 steps left at 100 steps/s
    slow = [ln for ln in out.getvalue().splitlines() if "step 5/10" in ln][0]
    assert "1.0 steps/s, phase ETA 0:00:05" in slow


def test_a_resumed_run_keeps_the_earlier_segment(tmp_path):
    from alveosim.io.resume import resume

    sim = Simulation(load_config(data=data(checkpoint_every="3 min")), backend="cpu", run_dir=tmp_path / "run")
    sim.run(until=240.0)
    first = json.loads((tmp_path / "run" / "run.json").read_text())
    assert first["outcome"] == "completed" and not first["reached_end"] and first["steps"] == 4
    resume(tmp_path / "run" / "checkpoints" / "step_0000000004.h5", backend="cpu").run()
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    check_schema(record)
    assert record["reached_end"] and record["steps"] == 14 and [p["steps"] for p in record["phases"]] == [2, 8]
    assert [e["steps"] for e in record["earlier"]] == [4]
