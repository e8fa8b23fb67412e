"""``alveosim plot``: one figure per phase with the curves the run logged,
and overlays of several runs."""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.plot import plot_compare, plot_run, read_timeseries

pytest.importorskip("matplotlib")
ROOT = Path(__file__).resolve().parents[1]


def write_timeseries(run_dir: Path, clot_scale: float, with_platelets: bool = True) -> Path:
    """Two phases: 3 tissue rows (days) then 5 blood rows (seconds)."""
    run_dir.mkdir(parents=True)
    cols = ["step", "time_s", "phase", "plasma_cxcl13_pM", "im_reprogrammed_fraction", "clot_volume_um3"]
    if with_platelets:
        cols += ["platelets_resting", "platelets_aggregated"]
    rows = []
    for i in range(3):
        rows.append([i, i * 86400.0, "conditioning", 10.0 + 40 * i, 0.2 * i, 0.0] + ([100, 0] if with_platelets else []))
    for i in range(5):
        rows.append([3 + i, 2 * 86400.0 + 0.5 * i, "blood_flow", 90.0, 0.4, clot_scale * i] + ([100 - i, i] if with_platelets else []))
    with (run_dir / "timeseries.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        w.writerows(rows)
    return run_dir


def test_read_timeseries_parses_numbers_and_phases(tmp_path):
    ts = read_timeseries(write_timeseries(tmp_path / "a", 10.0))
    assert ts["phase"].tolist()[:3] == ["conditioning"] * 3
    np.testing.assert_allclose(ts["clot_volume_um3"][3:], [0, 10, 20, 30, 40])


def test_plot_run_draws_what_the_run_logged(tmp_path):
    figures = plot_run(write_timeseries(tmp_path / "a", 10.0), tmp_path / "plots")
    assert sorted(p.name for p in figures) == ["timeseries_blood_flow.png", "timeseries_conditioning.png"]
    for path, panels in figures.items():
        assert path.stat().st_size > 1000
        assert panels["Clot burden"] == ["clot volume"]
        assert panels["Platelets by state"] == ["resting", "aggregated"]
        assert panels["Plasma CXCL13"] == ["plasma CXCL13"]
        assert panels["Reprogrammed IMs"] == ["reprogrammed"]
        assert "Tumour" not in panels and "TRMs" not in panels and "Plasma sEV-β2" not in panels


def test_plot_compare_overlays_every_run(tmp_path):
    a = write_timeseries(tmp_path / "pancreatic", 10.0)
    b = write_timeseries(tmp_path / "breast", 1.0, with_platelets=False)
    figures = plot_compare([a, b], tmp_path / "cmp")
    blood = figures[tmp_path / "cmp" / "compare_blood_flow.png"]
    assert blood["Clot burden"] == ["pancreatic", "breast"]
    assert blood["Platelets by state"] == ["pancreatic: resting", "pancreatic: aggregated"]


def test_plot_command(tmp_path):
    a = write_timeseries(tmp_path / "a", 10.0)
    b = write_timeseries(tmp_path / "b", 2.0)
    run = subprocess.run([sys.executable, "-m", "sim", "plot", str(a)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (a / "plots" / "timeseries_blood_flow.png").exists()
    cmp = subprocess.run([sys.executable, "-m", "sim", "plot", "--compare", str(a), str(b), "--out", str(tmp_path / "c")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert cmp.returncode == 0, cmp.stderr
    assert (tmp_path / "c" / "compare_conditioning.png").exists()
    missing = subprocess.run([sys.executable, "-m", "sim", "plot", str(tmp_path / "nope")], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no timeseries.csv" in missing.stderr
