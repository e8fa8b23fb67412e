"""``alveosim plot``: one figure per phase with the curves the run logged,
and overlays of several runs."""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alveosim.plot import plot_compare, plot_run, read_timeseries

pytest.importorskip("matplotlib")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


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


def test_a_phase_starts_from_the_state_before_it(tmp_path):
    """The blood-flow curves begin at the last conditioning row, at t = 0."""
    from alveosim.plot import _draw

    ts = read_timeseries(write_timeseries(tmp_path / "a", 10.0))
    fig, _, axes = _draw([("a", ts)], "blood_flow", "a")
    line = axes["Plasma CXCL13"].get_lines()[0]
    # the conditioning row it started from (day 2), then 5 blood rows 0.5 s apart, in s since the phase began
    np.testing.assert_allclose(line.get_xdata(), [0.0, 0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(axes["Reprogrammed IMs"].get_lines()[0].get_ydata(), [0.4] * 6)


def test_a_phase_logged_once_still_shows_its_value(tmp_path):
    """One row in a phase (a logging period longer than the phase) is drawn
    as a marker, not an empty panel."""
    from alveosim.plot import _draw

    run_dir = tmp_path / "one"
    run_dir.mkdir()
    (run_dir / "timeseries.csv").write_text("step,time_s,phase,plasma_cxcl13_pM\n0,0.0,conditioning,9.5\n250,1.0,blood_flow,90.0\n")
    fig, drawn, axes = _draw([("one", read_timeseries(run_dir))], "conditioning", "one")
    line = axes["Plasma CXCL13"].get_lines()[0]
    assert list(line.get_ydata()) == [9.5] and line.get_marker() == "o"


def test_no_offset_notation_on_large_nearly_constant_values(tmp_path):
    """Plasma sEV-β2 near 2.38e9 /mL varying in its 4th digit: tick labels
    carry the values (a ×10⁹ factor at most), never an additive '+2.38e9'."""
    from alveosim.plot import _draw

    run_dir = tmp_path / "sev"
    run_dir.mkdir()
    rows = "".join(f"{i},{i * 3600.0},conditioning,{2.38e9 + 1e5 * i}\n" for i in range(6))
    (run_dir / "timeseries.csv").write_text("step,time_s,phase,plasma_sev_b2_per_mL\n" + rows)
    fig, _, axes = _draw([("sev", read_timeseries(run_dir))], "conditioning", "sev")
    fig.canvas.draw()
    ax = axes["Plasma sEV-β2"]
    formatter = ax.yaxis.get_major_formatter()
    assert formatter.offset == 0
    assert "+" not in ax.yaxis.get_offset_text().get_text()


def test_missing_distances_are_left_out_not_zero(tmp_path):
    """A distance logged as NaN (no tumour cells yet) is not drawn; the axis
    does not reach down to 0 µm for it."""
    from alveosim.plot import _draw

    run_dir = tmp_path / "dist"
    run_dir.mkdir()
    (run_dir / "timeseries.csv").write_text(
        "step,time_s,phase,trm_tumour_distance_um\n0,0.0,t,nan\n1,3600.0,t,nan\n2,7200.0,t,40.0\n3,10800.0,t,30.0\n")
    fig, _, axes = _draw([("dist", read_timeseries(run_dir))], "t", "dist")
    ax = axes["TRM–tumour distance"]
    y = ax.get_lines()[0].get_ydata()
    assert np.isnan(y[:2]).all() and list(y[2:]) == [40.0, 30.0]
    assert ax.get_ylim()[0] > 20.0


def test_quickstart_logs_several_rows_in_every_phase():
    """The quickstart's logging period gives each phase enough rows for a curve."""
    from alveosim.config import load_config
    from alveosim.timeseries import TimeSeries

    cfg = load_config(ROOT / "configs" / "quickstart.yaml")
    trigger = TimeSeries(cfg.output.timeseries_every).trigger
    step, time = 0, 0.0
    for phase in cfg.phases:
        logged = 0
        for _ in range(phase.n_steps):
            step, time = step + 1, time + phase.dt
            logged += bool(trigger(step, time, phase.dt))
        assert logged >= 4, (phase.name, logged)
