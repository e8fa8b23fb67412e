"""The time series: flushed as the run goes (a killed run keeps every row
logged so far), trimmed and appended to on resume."""

import csv
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from alveosim.config import load_config, resolved_yaml
from alveosim.operations import Column
from alveosim.simulation import Simulation
from alveosim.timeseries import TimeSeries

from builders import phase_data, walker_data

REPO = Path(__file__).resolve().parent.parent


def config():
    data = walker_data("ts", 3, 100, [phase_data("a", "20 min", "1 min")], output={"timeseries_every": 2, "progress": False})
    return load_config(data=data)


def rows(path):
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


KILL_AT_STEP_9 = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    import yaml
    from alveosim.config import load_config
    from alveosim.operations import Operation
    from alveosim.simulation import Simulation

    class Die(Operation):
        def act(self, state, dt):
            if state.step == 9:
                os.kill(os.getpid(), signal.SIGKILL)

    sim = Simulation(load_config(data=yaml.safe_load(open(sys.argv[1]))), backend="cpu", run_dir=sys.argv[2])
    sim.operations.append(Die())
    sim.run()
""")


def test_killed_run_keeps_rows_logged_so_far(tmp_path):
    cfg_file = tmp_path / "cfg.yaml"
    cfg_file.write_text(resolved_yaml(config()))
    script = tmp_path / "die.py"
    script.write_text(KILL_AT_STEP_9.format(repo=str(REPO)))
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="0")
    proc = subprocess.run([sys.executable, str(script), str(cfg_file), str(tmp_path / "killed")], env=env, capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    killed = rows(tmp_path / "killed" / "timeseries.csv")
    full = Simulation(config(), backend="cpu", run_dir=tmp_path / "full")
    full.run()
    complete = rows(tmp_path / "full" / "timeseries.csv")
    # every row up to the kill (steps 0, 2, 4, 6, 8) is on disk, identical to the full run's
    assert [r[0] for r in killed[1:]] == ["0", "2", "4", "6", "8"]
    assert killed == complete[: len(killed)]


COLUMNS = [Column("step", "count", "step"), Column("time_s", "s", "time"), Column("x", "1", "a value")]


def test_continue_from_trims_to_the_uninterrupted_rows_at_the_first_write(tmp_path):
    path = tmp_path / "timeseries.csv"
    text = "step,time_s,x\n0,0.0,1\n2,2.0,2\n4,4.0,3\n5,5.0,4\n6,6.0,5\n8,8.0,6\n9,9.0\n"
    path.write_text(text)
    ts = TimeSeries(every=2, path=path)
    ts.declared = COLUMNS
    ts.continue_from(5)  # row 5 was written only because a run stopped there; 6 and 8 come after
    assert path.read_text() == text  # nothing changes until the resumed run writes a row
    ts._write({"step": 6, "time_s": 6.0, "x": 7})
    assert [r[0] for r in rows(path)] == ["step", "0", "2", "4", "6"]
    again = TimeSeries(every=2, path=path)
    again.declared = COLUMNS
    again.continue_from(0)
    again._write({"step": 1, "time_s": 1.0, "x": 8})
    assert [r[0] for r in rows(path)] == ["step", "0", "1"]


def test_a_file_written_without_a_declared_column_gets_it_as_nan_when_continued(tmp_path):
    path = tmp_path / "timeseries.csv"
    path.write_text("step,time_s\n0,0.0\n2,2.0\n")
    ts = TimeSeries(every=2, path=path)
    ts.declared = COLUMNS
    ts.continue_from(2)
    ts._write({"step": 4, "time_s": 4.0, "x": 0.5})
    assert rows(path) == [["step", "time_s", "x"], ["0", "0.0", "nan"], ["2", "2.0", "nan"], ["4", "4.0", "0.5"]]


def test_resumed_run_appends_without_repeating(tmp_path):
    from alveosim.io.resume import resume

    cfg = config()
    cfg.output.checkpoint_every = "5 min"
    first = Simulation(cfg, backend="cpu", run_dir=tmp_path / "run")
    first.run(until=7 * 60.0)  # stops between logged steps: the row at step 7 is then dropped on resume
    assert rows(tmp_path / "run" / "timeseries.csv")[-1][0] == "7"
    sim = resume(tmp_path / "run" / "checkpoints" / "step_0000000007.h5", backend="cpu")
    sim.run()
    steps = [int(r[0]) for r in rows(tmp_path / "run" / "timeseries.csv")[1:]]
    assert steps == list(range(0, 21, 2))


def fields_config(tmp_path):
    """Fields solved by implicit CG: ``cxcl13_cg_iterations`` exists only after the first solve."""
    data = {
        "name": "cg", "seed": 1, "backend": "cpu",
        "domain": {"size": ["10 um", "5 um", "5 um"], "voxel": "2.5 um"},
        "phases": [{"name": "p", "clock": "tissue", "duration": "30 min", "dt": "10 min"}],
        "fields": {"solver": "implicit_cg", "named": {"cxcl13": {"unit": "pM", "diffusivity": "20 um^2/s", "initial": "1 pM"}}},
        "output": {"timeseries_every": 1, "progress": False},
    }
    return load_config(data=data)


def test_a_column_first_logged_after_step_0_is_in_the_file_with_nan_before(tmp_path):
    sim = Simulation(fields_config(tmp_path), backend="cpu", run_dir=tmp_path / "run")
    sim.run(progress=False)
    header, *body = rows(tmp_path / "run" / "timeseries.csv")
    col = header.index("cxcl13_cg_iterations")
    assert [r[0] for r in body] == ["0", "1", "2", "3"]
    assert body[0][col] == "nan"  # no solve before step 1
    assert all(float(r[col]) >= 0 for r in body[1:])  # a count after every solve
    assert all(len(r) == len(header) and "" not in r for r in body)
    assert header == [c.name for c in sim.timeseries.declared]


def test_an_undeclared_value_is_an_error_naming_the_key_and_the_operation(tmp_path):
    import pytest

    from alveosim.operations import Operation
    from alveosim.timeseries import UndeclaredColumn

    class Probe(Operation):
        def observe(self, state):
            return {"probe_value": 1.0}

    sim = Simulation(config(), backend="cpu", run_dir=tmp_path / "run")
    sim.operations.append(Probe())
    with pytest.raises(UndeclaredColumn, match="'probe_value'.*Probe"):
        sim.run(progress=False)


def test_declared_columns_reach_the_file_and_inspect_lists_them_with_units(tmp_path, capsys):
    import json

    from alveosim.cli import main
    from alveosim.operations import Operation

    class Probe(Operation):
        def columns(self):
            return [Column("probe_length_um", "um", "a length the probe reports from step 4 on")]

        def observe(self, state):
            return {"probe_length_um": 2.5} if state.step >= 4 else {}

    sim = Simulation(config(), backend="cpu", run_dir=tmp_path / "run")
    sim.operations.append(Probe())
    sim.run(progress=False)
    header, *body = rows(tmp_path / "run" / "timeseries.csv")
    col = header.index("probe_length_um")
    assert [r[col] for r in body[:4]] == ["nan", "nan", "2.5", "2.5"]  # steps 0, 2, 4, 6
    recorded = json.loads((tmp_path / "run" / "run.json").read_text())["columns"]
    assert [c["name"] for c in recorded] == header
    capsys.readouterr()
    assert main(["inspect", str(tmp_path / "run"), "--columns"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "probe_length_um" in ln)
    assert "um" in line.replace("probe_length_um", "") and "a length the probe reports" in line
    assert any("time_s" in ln and " s " in ln for ln in out.splitlines())
    assert main(["inspect", str(tmp_path), "--columns"]) == 2  # no run.json there
