"""Run directories: one per run, marked as alveosim's by a marker file
(``.alveosim-run``: JSON with the run id and config hash), never replacing
anything that is not a run directory, and checked before anything is written.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

from alveosim.config import Config, config_hash, resolved_yaml

MARKER = ".alveosim-run"


class RunDirError(ValueError):
    """A run directory that cannot be made or used: one line saying why."""


def read_marker(run_dir: str | Path) -> dict | None:
    """The marker of ``run_dir`` (``run_id``, ``config_hash``, ``created``),
    or None when it has none or it is unreadable."""
    try:
        data = json.loads((Path(run_dir) / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("run_id"), str) else None


def _protected(path: Path) -> str | None:
    """Why ``path`` (resolved) must never be replaced, or None."""
    cwd = Path.cwd().resolve()
    if path == Path(path.anchor):
        return "the root directory"
    if path == Path.home().resolve():
        return "the home directory"
    if path == cwd or path in cwd.parents:
        return "the current directory or one above it"
    return None


def _check_writable(path: Path) -> None:
    """``path`` (absent) can be created: its nearest existing ancestor is a
    directory this process may write in."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise RunDirError(f"{path}: {parent} is a file, not a directory")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise RunDirError(f"{path}: cannot write in {parent} (permission denied)")
            return


def plan_run_dir(base: str | Path, name: str, overwrite: bool = False) -> Path:
    """The run directory ``base/name`` would become (``base/name-1``, ``-2``…
    when taken, unless ``overwrite``), checked but not created. Raises
    :class:`RunDirError` for a file in the way, a place that cannot be
    written, or ``overwrite`` of anything but an alveosim run directory."""
    path = (Path(base) / name).resolve()
    why = _protected(path)
    if why:
        raise RunDirError(f"{path}: is {why}; name a new run directory")
    if path.exists() and not path.is_dir():
        raise RunDirError(f"{path}: is a file, not a run directory")
    if path.exists() and overwrite:
        if read_marker(path) is None:
            raise RunDirError(f"{path}: not a run directory made by alveosim (no {MARKER}); --overwrite replaces only those")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise RunDirError(f"{path}: cannot replace it, {path.parent} is not writable")
        return path
    if path.exists():
        k = 1
        while path.with_name(f"{path.name}-{k}").exists():
            k += 1
        path = path.with_name(f"{path.name}-{k}")
    _check_writable(path)
    return path


def create_run_dir(path: Path) -> Path:
    """Create the directory :func:`plan_run_dir` returned, first removing the
    earlier run directory there (only one :func:`plan_run_dir` let through)."""
    try:
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
    except OSError as exc:
        raise RunDirError(f"{path}: cannot create it ({exc.strerror or exc})") from None
    return path


def write_config(run_dir: Path, cfg: Config) -> str:
    """Store the resolved config and its hash in the run directory and mark
    it as a run directory with a new run id (returned)."""
    run_id = uuid.uuid4().hex
    (run_dir / "config.yaml").write_text(f"# config hash: {config_hash(cfg)}\n" + resolved_yaml(cfg))
    marker = {"run_id": run_id, "config_hash": config_hash(cfg), "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    (run_dir / MARKER).write_text(json.dumps(marker) + "\n")
    return run_id
