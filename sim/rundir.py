"""Run directories: one per run, never overwriting an earlier one unless asked."""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.config import Config, config_hash, resolved_yaml


def make_run_dir(base: str | Path, name: str, overwrite: bool = False) -> Path:
    """Create ``base/name`` (or ``base/name-1``, ``-2``… if it exists, unless
    ``overwrite``) and return it."""
    base = Path(base)
    path = base / name
    if path.exists():
        if overwrite:
            shutil.rmtree(path)
        else:
            k = 1
            while (base / f"{name}-{k}").exists():
                k += 1
            path = base / f"{name}-{k}"
    path.mkdir(parents=True)
    return path


def write_config(run_dir: Path, cfg: Config) -> None:
    """Store the resolved config and its hash in the run directory."""
    (run_dir / "config.yaml").write_text(f"# config hash: {config_hash(cfg)}\n" + resolved_yaml(cfg))
