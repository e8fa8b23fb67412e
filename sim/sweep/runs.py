"""Reading a member's run directory: its time series as a DataFrame and the
values the results table holds (at the end and at named simulated times).

:func:`load_run` (from :mod:`alveosim.report`) is this package's only reader of
``timeseries.csv``; the plots, the cohort report and the results table all go
through it.
"""

from __future__ import annotations

from pathlib import Path

from alveosim.report import load_run
from alveosim.units import parse

# Headline time-series columns put in the results table when the sweep file
# names none (those a run logs; the others are left out).
HEADLINE_COLUMNS = [
    "plasma_cxcl13_pM", "im_reprogrammed_fraction", "plasma_sev_b2_per_mL", "antibody_theta",
    "platelets_aggregated", "aggregates", "clot_largest_um3", "clot_volume_um3", "capillary_occluded_fraction",
    "tumour_cells", "tumour_foci", "tumour_area_um2", "tumour_emt_fraction", "lesion_trm", "lesion_mdm",
]


def output_columns(series, requested) -> list[str]:
    """Numeric columns to report: ``requested`` (a list, or ``"all"``), or the
    headline columns the series holds."""
    numeric = [c for c in series.columns if c not in ("step", "time_s", "phase") and series[c].dtype.kind in "fiu"]
    if requested == "all":
        return numeric
    if requested:
        missing = [c for c in requested if c not in series.columns]
        if missing:
            raise KeyError(f"the time series has no column {', '.join(missing)}")
        return list(requested)
    return [c for c in HEADLINE_COLUMNS if c in numeric]


def value_at(series, column: str, time_s: float) -> float:
    """``column`` in the last logged row at or before ``time_s`` (NaN when the
    run did not reach it)."""
    rows = series[series["time_s"] <= time_s * (1 + 1e-12) + 1e-12]
    if rows.empty or float(series["time_s"].iloc[-1]) < time_s * (1 - 1e-9):
        return float("nan")
    return float(rows[column].iloc[-1])


def time_label(time: str) -> str:
    """``"12 h"`` → ``"12h"`` (column suffix after ``@``)."""
    return str(time).replace(" ", "")


def member_outputs(run_dir: str | Path, columns, times: list[str]) -> dict:
    """``{column: value at the end, column@TIME: value at TIME}`` of a run."""
    series = load_run(run_dir)
    names = output_columns(series, columns)
    out = {name: float(series[name].iloc[-1]) for name in names}
    for t in times:
        seconds = parse(t, "s")
        for name in names:
            out[f"{name}@{time_label(t)}"] = value_at(series, name, seconds)
    return out
