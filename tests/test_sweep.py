"""``alveosim sweep``: member validation, Dask execution (LocalCluster and an
external scheduler), equality with ``alveosim run``, resuming after a kill,
failures recorded per member."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytest.importorskip("pandas")

from alveosim.config import ConfigError  # noqa: E402
from alveosim.sweep import load_results, load_run, run_sweep  # noqa: E402
from alveosim.sweep.execute import MARKER, is_finished, read_marker, run_member  # noqa: E402
from alveosim.sweep.runner import prepare  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "configs" / "quickstart.yaml"

# The smallest quickstart: 40 x 30 x 20 um, 12 h of conditioning, 10 blood steps.
TINY = """\
name: {name}
base: {base}
set:
  backend: cpu
  domain.size: [40 um, 30 um, 20 um]
  phases.0.duration: {days} d
  phases.1.duration: 0.02 s
  output.timeseries_every: 2
  output.checkpoint_every: null
  output.snapshot_every: null
  output.progress: false
"""


def write_sweep(tmp_path: Path, body: str, name: str = "tiny", days: float = 0.5) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(TINY.format(name=name, base=BASE, days=days) + body)
    return path


def subprocess_env(**extra) -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), NUMBA_ENABLE_CUDASIM="0", **extra)


def file_times(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))}


def test_every_member_is_validated_before_anything_runs(tmp_path):
    sweep = write_sweep(tmp_path, """\
grid:
  primary_tumour.cxcl13_secretion: [0.02 pM/s, -1 pM/s, 0.1 kg]
seeds: 2
""")
    with pytest.raises(ConfigError) as err:
        run_sweep(sweep, out=tmp_path / "out", workers=1, progress=False)
    problems = err.value.problems
    assert len(problems) == 4  # two bad values x two seeds
    assert all(f"{sweep}:13 primary_tumour.cxcl13_secretion:" in p for p in problems), problems
    assert any("-1 pM/s" in p and "greater than or equal to 0" in p for p in problems), problems
    assert any("0.1 kg" in p and "expected units" in p for p in problems), problems
    assert not (tmp_path / "out").exists()


def test_sweep_file_errors_name_their_line(tmp_path):
    sweep = write_sweep(tmp_path, "grid:\n  primary_tumour.cxcl13_secretion: [0.02 pM/s]\nseedz: 2\n")
    with pytest.raises(ConfigError) as err:
        prepare(sweep)
    assert err.value.problems == [f"{sweep}:14 seedz: Extra inputs are not permitted"]


def test_design_points_grid_zip_and_sample(tmp_path):
    sweep = write_sweep(tmp_path, """\
grid:
  primary_tumour.cxcl13_secretion: [0.02 pM/s, 0.05 pM/s]
zip:
  macrophages.shedding_rate: [1 /s, 2 /s, 3 /s]
  macrophages.reprogramming_rate: [0.1 /d, 0.2 /d, 0.3 /d]
sample:
  method: lhs
  n: 4
  ranges:
    macrophages.hill_coefficient: [1, 4]
seeds: [5, 6]
""")
    _, members = prepare(sweep)
    assert len(members) == 2 * 3 * 4 * 2
    assert [m.seed for m in members[:4]] == [5, 6, 5, 6]
    assert members[0].overrides[-1] == "seed=5"
    first = [m.params for m in members[:8:2]]
    assert {p["primary_tumour.cxcl13_secretion"] for p in first} == {"0.02 pM/s"}
    assert {p["macrophages.shedding_rate"] for p in first} == {"1 /s"}
    hill = sorted(p["macrophages.hill_coefficient"] for p in first)
    assert [int(h) for h in hill] == [1, 1, 2, 3]  # one draw per quarter of [1, 4]: Latin hypercube
    assert len({m.config_hash for m in members}) == len(members)


def test_a_member_that_raises_is_recorded_failed_with_its_error(tmp_path, monkeypatch):
    from alveosim.simulation import Simulation

    def boom(self, **kwargs):
        raise RuntimeError("solver diverged")

    monkeypatch.setattr(Simulation, "run", boom)
    run_dir = tmp_path / "m0000"
    record = run_member(str(run_dir), str(BASE), ["backend=cpu", "domain.size=[40 um, 30 um, 20 um]"], None, [], "abc")
    assert record["status"] == "failed" and record["error"] == "RuntimeError: solver diverged"
    assert read_marker(run_dir)["error"] == "RuntimeError: solver diverged"
    assert "Traceback" in (run_dir / "error.txt").read_text()
    assert not is_finished(run_dir, "abc")


@pytest.mark.slow
def test_grid_sweep_members_equal_alveosim_run(tmp_path):
    """2 x 3 grid x 2 seeds on a LocalCluster of 2 single-threaded workers:
    each member's time series equals `alveosim run` of its config in this
    process (2 Numba threads) byte for byte."""
    from alveosim.cli import main

    sweep = write_sweep(tmp_path, """\
grid:
  primary_tumour.cxcl13_secretion: [0.02 pM/s, 0.105 pM/s]
  macrophages.shedding_rate: [1 /s, 4 /s, 16 /s]
seeds: 2
outputs:
  columns: [plasma_cxcl13_pM, im_reprogrammed_fraction, plasma_sev_b2_per_mL, ev_bound]
  times: [6 h]
""")
    table = run_sweep(sweep, out=tmp_path / "sweep", workers=2, progress=False)
    assert len(table) == 12 and (table["status"] == "done").all(), table[["member", "status", "error"]]
    assert set(table["seed"]) == {1, 2}
    assert sorted(set(table["macrophages.shedding_rate"])) == [1.0, 4.0, 16.0]
    assert load_results(tmp_path / "sweep").equals(table)
    manifest = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    for m in manifest["members"]:
        alone = tmp_path / "alone" / m["id"]
        args = ["run", str(BASE), "--out", str(alone), "--no-progress"]
        for item in m["overrides"]:
            args += ["--set", item]
        assert main(args) == 0
        member = tmp_path / "sweep" / "members" / m["id"]
        assert (member / "timeseries.csv").read_bytes() == (alone / "timeseries.csv").read_bytes(), m["id"]
        assert (member / "config.yaml").read_text() == (alone / "config.yaml").read_text()
        row = table.set_index("member").loc[m["id"]]
        series = load_run(alone)
        assert row["plasma_sev_b2_per_mL"] == series["plasma_sev_b2_per_mL"].iloc[-1]
    # the seeds differ and the grid matters: the runs are not all alike
    assert table.groupby("seed")["im_reprogrammed_fraction"].sum().nunique() == 2 or table["ev_bound"].nunique() > 1
    stats = table.attrs["stats"]
    assert len(stats) == 6 * 8 and (stats["n"] == 2).all()
    # alveosim plot SWEEP_DIR: dose-response per grid key and time courses per phase
    assert main(["plot", str(tmp_path / "sweep")]) == 0
    names = sorted(p.name for p in (tmp_path / "sweep" / "plots").iterdir())
    assert names == ["dose_response_macrophages.shedding_rate.png", "dose_response_primary_tumour.cxcl13_secretion.png",
                     "timecourse_blood_flow.png", "timecourse_conditioning.png"]
    assert main(["plot", "--compare", str(tmp_path / "sweep"), str(tmp_path / "alone" / "m0000"),
                 "--out", str(tmp_path / "cmp")]) == 0
    assert sorted(p.name for p in (tmp_path / "cmp").iterdir()) == ["compare_blood_flow.png", "compare_conditioning.png"]


@pytest.mark.slow
def test_sweep_through_an_external_scheduler(tmp_path):
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1; the
    sweep runs through --scheduler; an invalid member fails alone."""
    dask = Path(sys.executable).parent / "dask"
    scheduler_file = tmp_path / "scheduler.json"
    env = subprocess_env(NUMBA_NUM_THREADS="1")
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(scheduler_file)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            procs.append(subprocess.Popen([str(dask), "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                           "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
        sweep = write_sweep(tmp_path, """\
grid:
  primary_tumour.cxcl13_secretion: [0.02 pM/s, -0.5 pM/s, 0.105 pM/s]
seeds: 1
""")
        proc = subprocess.run([sys.executable, "-m", "sim", "sweep", str(sweep), "--scheduler", address,
                               "--skip-invalid", "--out", str(tmp_path / "sweep"), "--no-progress"],
                              cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=300)
        assert proc.returncode == 1, proc.stderr  # not every member finished: the invalid one
        table = load_results(tmp_path / "sweep")
        assert table["status"].tolist() == ["done", "invalid", "done"]
        assert "greater than or equal to 0" in table["error"][1] and f"{sweep}:13" in table["error"][1]
        assert table["plasma_cxcl13_pM"][2] > table["plasma_cxcl13_pM"][0]
    finally:
        for p in reversed(procs):
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


@pytest.mark.slow
def test_killed_sweep_resumes_without_recomputing_finished_members(tmp_path):
    sweep = write_sweep(tmp_path, """\
grid:
  primary_tumour.cxcl13_secretion: [0.02 pM/s, 0.05 pM/s, 0.105 pM/s]
seeds: 2
""", days=2)
    out = tmp_path / "sweep"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(sweep), "--workers", "1", "--out", str(out),
                             "--no-progress"], cwd=ROOT, env=subprocess_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            done = [p.parent for p in out.glob(f"members/*/{MARKER}") if read_marker(p.parent)["status"] == "done"]
            if len(done) >= 2 or proc.poll() is not None:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGINT)  # Ctrl-C
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    finished = {p.parent.name: file_times(p.parent) for p in out.glob(f"members/*/{MARKER}")
                if read_marker(p.parent)["status"] == "done"}
    assert 2 <= len(finished) < 6, "the sweep was not stopped mid-way"
    table = load_results(out)
    assert (table["status"] == "done").sum() == len(finished)
    time.sleep(0.05)
    table = run_sweep(sweep, out=out, workers=1, progress=False)
    assert (table["status"] == "done").all()
    for name, times in finished.items():
        assert file_times(out / "members" / name) == times, f"{name} was recomputed"


def test_missing_dask_is_one_clear_line(tmp_path, monkeypatch):
    sweep = write_sweep(tmp_path, "grid:\n  primary_tumour.cxcl13_secretion: [0.02 pM/s]\n")
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError) as err:
        run_sweep(sweep, out=tmp_path / "out")
    assert str(err.value) == "sweeps run on Dask: pip install 'alveosim[dist]' (dask[distributed])"
    assert not (tmp_path / "out").exists()


def test_cohort_distributions_normal_and_lognormal(tmp_path):
    """A virtual cohort drawn from patient distributions: sample moments
    match the normal's mean/SD and the log-normal's median/sigma."""
    import numpy as np

    from alveosim.sweep.sampling import sample_matrix
    from alveosim.sweep.spec import SampleSpec

    spec = SampleSpec(method="lhs", n=400, seed=1, ranges={"a": ["0.1 pM/s", "0.02 pM/s"], "b": ["2 /s", 0.5]},
                      distributions={"a": "norm", "b": "lognorm"})
    x = sample_matrix(spec)
    assert x[:, 0].mean() == pytest.approx(0.1, abs=0.002) and x[:, 0].std() == pytest.approx(0.02, rel=0.05)
    assert np.median(x[:, 1]) == pytest.approx(2.0, rel=0.03) and np.log(x[:, 1]).std() == pytest.approx(0.5, rel=0.05)
    with pytest.raises(ValueError, match="Morris"):
        SampleSpec(method="morris", n=2, ranges={"a": [1, 2]}, distributions={"a": "norm"})
