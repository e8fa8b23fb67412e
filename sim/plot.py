"""Figures of a run's time series (``RUN_DIR/timeseries.csv``) with
matplotlib: one figure per phase, one panel per measure the run logged
(columns it did not log are left out), x = time since the phase began.
A phase's curves start from the last row before it (the state the phase
began with), so a phase logged once still draws a line; values that do not
exist (NaN, e.g. a distance to tumour cells before there are any) are left
out, never drawn as 0. Y axes show plain values, never an offset ("+2.38e9").
``compare`` overlays several runs, phase by phase (phases matched by name).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

# (panel title, y label, [(column, curve label)…]); a panel is drawn when any of its columns exists
PANELS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("Clot burden", "µm³", [("clot_volume_um3", "clot volume"), ("clot_largest_um3", "largest clot")]),
    ("Occluded capillaries", "fraction", [("capillary_occluded_fraction", "occluded share of capillary voxels")]),
    ("Platelets by state", "platelets", [("platelets_resting", "resting"), ("platelets_primed", "primed"),
                                         ("platelets_activated", "activated"), ("platelets_aggregated", "aggregated")]),
    ("Plasma CXCL13", "pM", [("plasma_cxcl13_pM", "plasma CXCL13")]),
    ("Plasma sEV-β2", "sEVs / mL", [("plasma_sev_b2_per_mL", "plasma sEV-β2")]),
    ("Reprogrammed IMs", "fraction of IMs", [("im_reprogrammed_fraction", "reprogrammed")]),
    ("Tumour cells", "cells", [("tumour_cells", "tumour cells")]),
    ("Tumour foci", "foci", [("tumour_foci", "foci (connected clusters)")]),
    ("Tumour area", "µm²", [("tumour_area_um2", "projected area")]),
    ("Lesion radius", "µm", [("lesion_radius_mean_um", "mean sphere-equivalent radius")]),
    ("EMT", "fraction of tumour cells", [("tumour_emt_fraction", "EMT")]),
    ("TRM–tumour distance", "µm", [("trm_tumour_distance_um", "mean TRM–nearest tumour cell"), ("tumour_trm_distance_um", "mean lesion cell–nearest TRM")]),
    ("Macrophages in lesions", "cells", [("lesion_trm", "TRMs"), ("lesion_mdm", "MDMs")]),
    ("TRMs in lesions", "fraction of lesion TRMs", [("trm_rim_fraction", "at the rim"), ("trm_core_fraction", "in the core")]),
]

_TIME_UNITS = ((86400.0, "d"), (3600.0, "h"), (60.0, "min"), (1.0, "s"), (1e-3, "ms"))


def read_timeseries(run_dir: str | Path) -> dict[str, np.ndarray]:
    """Columns of ``RUN_DIR/timeseries.csv``: numbers as float64 arrays (empty
    cells NaN), ``phase`` as a str array."""
    path = Path(run_dir) / "timeseries.csv"
    if not path.exists():
        raise FileNotFoundError(f"{run_dir}: no timeseries.csv (not a run directory?)")
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"{path}: no rows")
    out = {}
    for name in rows[0]:
        values = [r.get(name) or "" for r in rows]
        if name == "phase":
            out[name] = np.array(values, dtype=str)
        else:
            out[name] = np.array([float(v) if v != "" else np.nan for v in values])
    return out


def _time_unit(span_s: float) -> tuple[float, str]:
    for size, name in _TIME_UNITS:
        if span_s >= 2.0 * size:
            return size, name
    return _TIME_UNITS[-1]


def _phases(ts: dict[str, np.ndarray]) -> list[str]:
    phases = ts.get("phase", np.array(["run"] * len(ts["time_s"])))
    return list(dict.fromkeys(phases.tolist()))


def _phase_rows(ts: dict[str, np.ndarray], phase: str) -> np.ndarray:
    """Row indices of ``phase``, preceded by the last row logged before the
    phase (its starting state) when the phase is not the first."""
    if "phase" not in ts:
        return np.arange(len(ts["time_s"]))
    rows = np.flatnonzero(ts["phase"] == phase)
    if rows.size and rows[0] > 0:
        rows = np.concatenate([[rows[0] - 1], rows])
    return rows


def _panels_for(series: list[dict[str, np.ndarray]]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    present = set().union(*(s.keys() for s in series))
    return [(t, y, [(c, lab) for c, lab in curves if c in present]) for t, y, curves in PANELS
            if any(c in present for c, _ in curves)]


def _draw(runs: list[tuple[str, dict[str, np.ndarray]]], phase: str, title: str):
    """The figure of every panel for ``phase``; returns ``(figure, panel title
    -> curve labels drawn, panel title -> axes)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import ScalarFormatter

    panels = _panels_for([ts for _, ts in runs])
    masks = [(name, ts, _phase_rows(ts, phase)) for name, ts in runs]
    span = max((np.ptp(ts["time_s"][m]) if m.size else 0.0) for _, ts, m in masks)
    scale, unit_name = _time_unit(span)
    ncols = 2 if len(panels) > 1 else 1
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.0 * ncols, 2.8 * nrows), squeeze=False, constrained_layout=True)
    drawn: dict[str, list[str]] = {}
    panel_axes = {}
    styles = ["-", "--", ":", "-."]
    for ax, (ptitle, ylabel, curves) in zip(axes.ravel(), panels):
        labels = []
        for r, (name, ts, m) in enumerate(masks):
            if not m.size:
                continue
            t = (ts["time_s"][m] - ts["time_s"][m][0]) / scale
            for c, (col, lab) in enumerate(curves):
                if col not in ts:
                    continue
                label = lab if len(runs) == 1 else (f"{name}: {lab}" if len(curves) > 1 else name)
                colour = f"C{c}" if len(runs) == 1 else f"C{r}"
                ax.plot(t, ts[col][m], styles[c % len(styles)] if len(runs) > 1 else "-", color=colour, label=label,
                        marker="o" if len(t) < 12 else None, markersize=3)
                labels.append(label)
        formatter = ScalarFormatter(useOffset=False, useMathText=True)
        formatter.set_powerlimits((-3, 4))
        ax.yaxis.set_major_formatter(formatter)
        ax.set_title(ptitle)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(f"time in phase ({unit_name})")
        ax.grid(alpha=0.3)
        if labels:
            ax.legend(fontsize=7)
        drawn[ptitle] = labels
        panel_axes[ptitle] = ax
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(title)
    return fig, drawn, panel_axes


def _figure(runs: list[tuple[str, dict[str, np.ndarray]]], phase: str, out: Path, title: str) -> dict[str, list[str]]:
    """Save the figure of ``phase`` to ``out``; returns panel title -> curve labels drawn."""
    import matplotlib.pyplot as plt

    fig, drawn, _ = _draw(runs, phase, title)
    fig.savefig(out, dpi=80)
    plt.close(fig)
    return drawn


def _require_matplotlib() -> None:
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise ImportError("plotting needs matplotlib: pip install 'alveosim[render]'")


def plot_run(run_dir: str | Path, out_dir: str | Path | None = None) -> dict[Path, dict[str, list[str]]]:
    """Write ``timeseries_<phase>.png`` for each phase of a run (into
    ``RUN_DIR/plots`` by default); returns figure -> panel -> curve labels."""
    _require_matplotlib()
    ts = read_timeseries(run_dir)
    out_dir = Path(out_dir) if out_dir is not None else Path(run_dir) / "plots"
    out_dir.mkdir(parents=True, exist_ok=True)
    name = Path(run_dir).name
    return {out_dir / f"timeseries_{p}.png": _figure([(name, ts)], p, out_dir / f"timeseries_{p}.png", f"{name} — {p}")
            for p in _phases(ts)}


def plot_compare(run_dirs: list[str | Path], out_dir: str | Path) -> dict[Path, dict[str, list[str]]]:
    """Overlay several runs (one colour each) in ``compare_<phase>.png`` per
    phase name found in any run; returns figure -> panel -> curve labels."""
    _require_matplotlib()
    runs = [(Path(d).name, read_timeseries(d)) for d in run_dirs]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    phases = list(dict.fromkeys(p for _, ts in runs for p in _phases(ts)))
    title = " vs ".join(n for n, _ in runs)
    return {out_dir / f"compare_{p}.png": _figure(runs, p, out_dir / f"compare_{p}.png", f"{title} — {p}")
            for p in phases}
