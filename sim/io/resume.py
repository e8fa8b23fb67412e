"""Resuming a run from a checkpoint, into its own run directory or a new one."""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.io.checkpoint import read_checkpoint, restore_state
from sim.io.errors import CheckpointError


def home_run_dir(checkpoint: str | Path) -> Path | None:
    """The run directory a checkpoint belongs to (``RUN_DIR/checkpoints/x.h5``),
    or None when it does not sit in a ``checkpoints`` folder."""
    path = Path(checkpoint).resolve()
    return path.parent.parent if path.parent.name == "checkpoints" else None


def resume(checkpoint: str | Path, backend=None, run_dir: str | Path | None = None):
    """A :class:`Simulation` continuing from ``checkpoint``.

    backend: ``"cpu"``, ``"cuda"``, ``"auto"``, a Backend, or None for the
    config's; any backend resumes any checkpoint.
    run_dir: None continues in the checkpoint's own run directory; otherwise a
    directory (created if needed) that receives the config and a copy of the
    time series up to the checkpoint. Either way the time series is trimmed to
    the rows the uninterrupted run holds at the checkpoint's step and then
    appended to.

    The checkpoint is read and checked completely before anything is written,
    so a bad file raises :class:`CheckpointError` and changes nothing.
    """
    from sim.backend import Backend, select_backend
    from sim.rundir import write_config
    from sim.simulation import Simulation

    ck = read_checkpoint(checkpoint)
    home = home_run_dir(checkpoint)
    if run_dir is None:
        if home is None:
            raise CheckpointError(checkpoint, "is not inside a RUN_DIR/checkpoints folder; pass a new run directory (--out)")
        target = home
    else:
        target = Path(run_dir)
    if not isinstance(backend, Backend):
        backend = select_backend(backend or ck.config.backend)
    if target != home:
        target.mkdir(parents=True, exist_ok=True)
        write_config(target, ck.config)
        old_series = home / "timeseries.csv" if home is not None else None
        if old_series is not None and old_series.exists():
            shutil.copyfile(old_series, target / "timeseries.csv")
    sim = Simulation(ck.config, backend=backend, run_dir=target, state=restore_state(ck, backend))
    sim.timeseries.continue_from(ck.step)
    return sim
