"""The sweep directory's manifest and its tidy results table.

``SWEEP_DIR/sweep.json`` lists the members (varied values, seed, overrides,
config hash); ``SWEEP_DIR/results.parquet`` and ``results.csv`` hold one row
per member: ``member``, ``point``, ``seed``, the varied keys (numbers in the
unit the sweep file wrote), ``status`` (done | failed | invalid | missing),
``error``, ``wall_s`` and the outputs (``COLUMN`` at the end,
``COLUMN@TIME`` at named times). The table is rebuilt from the members'
directories, so it always says what is on disk.
"""

from __future__ import annotations

import json
from pathlib import Path

from alveosim.sweep.execute import read_marker

MANIFEST = "sweep.json"
RESULTS = "results"


def member_dir(sweep_dir: str | Path, member_id: str) -> Path:
    return Path(sweep_dir) / "members" / member_id


def write_manifest(sweep_dir: Path, sweep, members) -> None:
    from alveosim.sweep.sampling import split_quantity

    units = {}
    for key in sweep.spec.varied_keys:
        q = next((split_quantity(m.params[key]) for m in members if key in m.params), None)
        units[key] = q[1] if q is not None else ""
    manifest = {
        "name": sweep.spec.name,
        "sweep_file": str(sweep.path),
        "base": str(sweep.base),
        "varied": sweep.spec.varied_keys,
        "grid": list(sweep.spec.grid) + list(sweep.spec.zip),
        "units": units,
        "sample": sweep.spec.sample.model_dump() if sweep.spec.sample else None,
        "outputs": sweep.spec.outputs.model_dump(),
        "members": [{"id": m.id, "point": m.point, "seed": m.seed, "params": m.params,
                     "values": m.numeric_params(), "overrides": m.overrides,
                     "config_hash": m.config_hash, "error": m.error} for m in members],
    }
    (sweep_dir / MANIFEST).write_text(json.dumps(manifest, indent=1))
    (sweep_dir / "sweep.yaml").write_text(sweep.text)


def read_manifest(sweep_dir: str | Path) -> dict:
    path = Path(sweep_dir) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{sweep_dir}: no {MANIFEST} (not a sweep directory?)")
    return json.loads(path.read_text())


def is_sweep_dir(path: str | Path) -> bool:
    return (Path(path) / MANIFEST).exists()


def build_table(sweep_dir: str | Path, manifest: dict | None = None):
    """The results table (a pandas DataFrame) from the members' directories."""
    import pandas as pd

    manifest = manifest or read_manifest(sweep_dir)
    rows = []
    for m in manifest["members"]:
        row = {"member": m["id"], "point": m["point"], "seed": m["seed"], **m["values"]}
        record = read_marker(member_dir(sweep_dir, m["id"]))
        if m["error"]:
            row.update(status="invalid", error=m["error"], wall_s=float("nan"))
        elif record is None or record.get("config_hash") != m["config_hash"]:
            row.update(status="missing", error="", wall_s=float("nan"))
        else:
            row.update(status=record["status"], error=record["error"], wall_s=record["wall_s"], **record["outputs"])
        rows.append(row)
    return pd.DataFrame(rows)


def write_table(sweep_dir: str | Path, table) -> None:
    """``results.csv`` and ``results.parquet`` (written under temporary names
    and renamed)."""
    from alveosim.io.atomic import atomic_path

    sweep_dir = Path(sweep_dir)
    with atomic_path(sweep_dir / f"{RESULTS}.csv") as tmp:
        table.to_csv(tmp, index=False)
    with atomic_path(sweep_dir / f"{RESULTS}.parquet") as tmp:
        table.to_parquet(tmp, index=False)


def load_results(sweep_dir: str | Path):
    """The results table of a sweep directory as a DataFrame."""
    import pandas as pd

    path = Path(sweep_dir) / f"{RESULTS}.parquet"
    if path.exists():
        return pd.read_parquet(path)
    return build_table(sweep_dir)
