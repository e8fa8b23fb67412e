"""What a run reports about itself.

- :func:`headline`: about ten biology numbers of a time-series row with plain
  names and units (the end-of-run summary, ``alveosim sweep``'s outputs);
- :func:`write_run_record`: ``RUN_DIR/run.json`` — versions, git commit,
  host, backend, wall time including set-up and JIT, steps/s per phase,
  outcome (completed / interrupted / failed with the error), headline, the
  time-series columns (name, unit, description);
- :func:`load_run`: a run's ``timeseries.csv`` as a pandas DataFrame (with
  ``run.json`` in ``DataFrame.attrs["run"]``).
"""

from __future__ import annotations

import json
import math
import platform
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

RUN_RECORD = "run.json"
RUN_RECORD_SCHEMA = 1

# (time-series column, plain name, unit shown, factor from the column's unit to the unit shown)
HEADLINE: list[tuple[str, str, str, float]] = [
    ("im_reprogrammed_fraction", "interstitial macrophages reprogrammed", "%", 100.0),
    ("plasma_cxcl13_pM", "plasma CXCL13", "pM", 1.0),
    ("plasma_sev_b2_per_mL", "plasma sEV-β2", "per mL", 1.0),
    ("platelets_activated", "activated platelets", "platelets", 1.0),
    ("platelets_aggregated", "platelets in aggregates", "platelets", 1.0),
    ("aggregates", "platelet aggregates", "aggregates", 1.0),
    ("clot_volume_um3", "clot volume", "µm³", 1.0),
    ("clot_largest_um3", "largest clot", "µm³", 1.0),
    ("capillary_occluded_fraction", "capillary volume occluded", "%", 100.0),
    ("plug_formation_s", "haemostatic plug formed at", "s", 1.0),
    ("plug_platelets", "platelets in the haemostatic plug", "platelets", 1.0),
    ("plug_um3", "haemostatic plug volume", "µm³", 1.0),
    ("tumour_cells", "tumour cells", "cells", 1.0),
    ("tumour_foci", "tumour foci", "foci", 1.0),
    ("tumour_area_um2", "tumour area (projected)", "µm²", 1.0),
    ("lesion_radius_mean_um", "mean lesion radius", "µm", 1.0),
    ("tumour_emt_fraction", "tumour cells in EMT", "%", 100.0),
    ("trm_tumour_distance_um", "TRM to nearest tumour cell (mean)", "µm", 1.0),
    ("lesion_trm", "TRMs in lesions", "cells", 1.0),
    ("lesion_mdm", "MDMs in lesions", "cells", 1.0),
    ("walker_count", "walker cells", "cells", 1.0),
]


def _last_row(rows_or_frame) -> dict:
    """The last row of a list of row dicts, a row dict or a DataFrame."""
    if isinstance(rows_or_frame, dict):
        return rows_or_frame
    if hasattr(rows_or_frame, "iloc"):
        return rows_or_frame.iloc[-1].to_dict() if len(rows_or_frame) else {}
    return rows_or_frame[-1] if rows_or_frame else {}


def headline(rows_or_frame) -> dict[str, tuple[float, str]]:
    """Plain name -> (value, unit) for the headline measures present in the
    last row of a time series (rows, one row or a DataFrame); a value that
    does not exist (no tumour cells to measure a distance to) is NaN."""
    row = _last_row(rows_or_frame)
    out = {}
    for column, name, unit, factor in HEADLINE:
        if column in row and row[column] not in ("", None):
            out[name] = (float(row[column]) * factor, unit)
    return out


def format_value(value: float, unit: str) -> str:
    """``1234.5, 'µm³'`` -> ``'1,234.5 µm³'``; NaN as 'none'."""
    if not math.isfinite(value):
        return "none" if math.isnan(value) else f"{value} {unit}"
    text = f"{value:,.0f}" if value == int(value) and abs(value) < 1e6 else f"{value:,.4g}" if abs(value) < 1e6 else f"{value:.3g}"
    return f"{text} {unit}"


def git_commit(path: Path) -> str | None:
    """The commit of the git checkout holding ``path`` (with ``+dirty`` when
    it has uncommitted changes), or None outside a checkout or without git."""
    try:
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch", Path(__file__).name], cwd=path, capture_output=True, text=True, timeout=5)
        if tracked.returncode != 0:  # not a checkout of alveosim (e.g. an installed wheel)
            return None
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=path, capture_output=True, text=True, timeout=5)
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("alveosim", "numpy", "numba"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def _finite(value):
    """JSON has no NaN: non-finite floats become None."""
    return value if not isinstance(value, float) or math.isfinite(value) else None


def run_record(sim, outcome: str, error: str | None, phases: list[dict], run_wall_s: float, started: datetime) -> dict:
    """The content of ``run.json`` for a run segment that just ended."""
    from alveosim.config import config_hash

    st = sim.state
    setup_s = sim.setup_s
    rows = sim.timeseries.rows
    return {
        "schema": RUN_RECORD_SCHEMA,
        "outcome": outcome,
        "error": error,
        "versions": _versions(),
        "git_commit": git_commit(Path(__file__).resolve().parent),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "command": sys.argv,
        "backend": sim.backend.description,
        "config": {"name": sim.config.name, "hash": config_hash(sim.config), "source": sim.config._source},
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "wall_s": setup_s + run_wall_s,
        "setup_s": setup_s,
        "run_s": run_wall_s,
        "steps": st.step,
        "simulated_time_s": st.time,
        "reached_end": st.phase_index >= len(sim.config.phases),  # False after --until, Ctrl-C or a failure
        "phases": phases,
        "headline": {name: {"value": _finite(v), "unit": u} for name, (v, u) in headline(rows).items()},
        "columns": [{"name": c.name, "unit": c.unit, "description": c.description} for c in sim.timeseries.declared or []],
    }


def write_run_record(run_dir: Path, record: dict) -> Path:
    """Write ``run_dir/run.json`` atomically. A record already there (an
    earlier segment of a resumed run) is kept in the new one's ``earlier``."""
    from alveosim.io.atomic import atomic_path

    path = Path(run_dir) / RUN_RECORD
    if path.exists():
        try:
            old = json.loads(path.read_text())
            record["earlier"] = old.pop("earlier", []) + [old]
        except (OSError, ValueError):
            pass
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    return path


def load_run(run_dir: str | Path):
    """The time series of a run as a pandas DataFrame, one row per logged
    step (columns as in ``timeseries.csv``: ``step``, ``time_s``, ``phase``,
    then the measures with their units in their names); ``run.json`` (when
    present) is in ``frame.attrs["run"]``. Needs pandas (``alveosim[analysis]``)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("load_run needs pandas: pip install 'alveosim[analysis]'") from None
    run_dir = Path(run_dir)
    path = run_dir / "timeseries.csv"
    if not path.exists():
        raise FileNotFoundError(f"{run_dir}: no timeseries.csv (not a run directory?)")
    frame = pd.read_csv(path)
    record = run_dir / RUN_RECORD
    if record.exists():
        frame.attrs["run"] = json.loads(record.read_text())
    return frame
