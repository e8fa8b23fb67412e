"""Running one member (on a Dask worker or in the calling process).

A member is an ordinary run directory made by the same code path as
``alveosim run`` (:func:`alveosim.rundir.write_config`, :class:`Simulation`), so
its time series equals ``alveosim run BASE --set … --seed N`` bit for bit.
``member.json`` is written last, atomically: a member is finished exactly
when it holds ``"status": "done"`` and the member's config hash.
"""

from __future__ import annotations

import json
import shutil
import time
import traceback
from pathlib import Path

MARKER = "member.json"


def read_marker(run_dir: str | Path) -> dict | None:
    """The member's record (status, outputs, wall time, error), or None."""
    path = Path(run_dir) / MARKER
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def is_finished(run_dir: str | Path, config_hash: str) -> bool:
    record = read_marker(run_dir)
    return record is not None and record.get("status") == "done" and record.get("config_hash") == config_hash


def run_member(run_dir: str, base: str, overrides: list[str], columns, times: list[str],
               config_hash: str, numba_threads: int | None = None) -> dict:
    """Run one member into ``run_dir`` (replacing an unfinished one) and
    return its record: ``status`` (``done`` | ``failed``), ``outputs``
    (:func:`alveosim.sweep.runs.member_outputs`), ``wall_s``, ``error``."""
    from alveosim.config import load_config
    from alveosim.io.atomic import atomic_path
    from alveosim.rundir import write_config
    from alveosim.simulation import Simulation
    from alveosim.sweep.runs import member_outputs

    if numba_threads:
        import numba

        numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))
    run_dir = Path(run_dir)
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    record = {"config_hash": config_hash, "status": "failed", "outputs": {}, "wall_s": 0.0, "error": ""}
    t0 = time.perf_counter()
    try:
        cfg = load_config(base, overrides)
        write_config(run_dir, cfg)
        result = Simulation(cfg, run_dir=run_dir).run(progress=False)
        if result.interrupted:
            raise KeyboardInterrupt("interrupted")
        record["outputs"] = member_outputs(run_dir, columns, times)
        record["status"] = "done"
    except (Exception, KeyboardInterrupt) as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"
        (run_dir / "error.txt").write_text(traceback.format_exc())
    record["wall_s"] = time.perf_counter() - t0
    with atomic_path(run_dir / MARKER) as tmp:
        tmp.write_text(json.dumps(record, indent=1))
    return record
