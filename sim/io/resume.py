"""Resuming a run from a checkpoint, into its own run directory or a new one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from alveosim.io.checkpoint import read_checkpoint, restore_state
from alveosim.io.errors import CheckpointError


def home_run_dir(checkpoint: str | Path) -> Path | None:
    """The run directory a checkpoint belongs to (``RUN_DIR/checkpoints/x.h5``),
    or None when it does not sit in a ``checkpoints`` folder."""
    path = Path(checkpoint).resolve()
    return path.parent.parent if path.parent.name == "checkpoints" else None


def _check_target(checkpoint, ck, home: Path | None, target: Path) -> None:
    """A checkpoint continues into its own run (same run id and config) or
    into a new directory (absent or empty), never into another run's."""
    from alveosim.rundir import read_marker

    if target == home:
        marker = read_marker(home)
        ck_run = ck.meta.get("run_id", "")
        if (marker["run_id"] if marker else "") != ck_run:
            owner = f"run {marker['run_id']}" if marker else "a directory without a run marker"
            raise CheckpointError(checkpoint, f"belongs to run {ck_run or '(unmarked)'}, but {home} is {owner}; "
                                              "resume it into a new directory with --out")
        if marker and marker.get("config_hash") != ck.meta.get("config_hash"):
            raise CheckpointError(checkpoint, f"config hash {ck.meta.get('config_hash')} differs from {home}'s "
                                              f"{marker.get('config_hash')}; resume it into a new directory with --out")
        return
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CheckpointError(checkpoint, f"--out {target}: exists and is not an empty directory; name a new one")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
                raise CheckpointError(checkpoint, f"--out {target}: cannot create it in {parent}")
            break


def resume(checkpoint: str | Path, backend=None, run_dir: str | Path | None = None, until: float | None = None):
    """A :class:`Simulation` continuing from ``checkpoint``.

    backend: ``"cpu"``, ``"cuda"``, ``"auto"``, a Backend, or None for the
    config's; any backend resumes any checkpoint.
    run_dir: None continues in the checkpoint's own run directory (whose
    marker must name the checkpoint's run); otherwise a new (absent or
    empty) directory that receives the config, a new run marker and a copy
    of the time series. Either way the time series is trimmed to the rows
    the uninterrupted run holds at the checkpoint's step when the resumed
    run writes its first row, and then appended to.
    until: the simulated time (s) the caller will run to; it must lie after
    the checkpoint. A checkpoint at the end of the last phase is refused.

    The checkpoint is read and checked completely, and the simulation built
    from it, before anything is written, so a bad file raises
    :class:`CheckpointError` and changes nothing.
    """
    from alveosim.backend import Backend, select_backend
    from alveosim.pools import PoolCapacityError
    from alveosim.rundir import write_config
    from alveosim.simulation import Simulation

    from alveosim.format import format_seconds

    ck = read_checkpoint(checkpoint)
    if until is not None and until <= ck.time:
        raise CheckpointError(checkpoint, f"--until {format_seconds(until)} is not after the checkpoint's time {format_seconds(ck.time)}")
    if ck.step >= sum(p.n_steps for p in ck.config.phases):
        raise CheckpointError(checkpoint, f"the run reached the end of its last phase at step {ck.step:,}; nothing to resume")
    home = home_run_dir(checkpoint)
    if run_dir is None:
        if home is None:
            raise CheckpointError(checkpoint, "is not inside a RUN_DIR/checkpoints folder; pass a new run directory (--out)")
        target = home
    else:
        target = Path(run_dir).resolve()
    _check_target(checkpoint, ck, home, target)
    if not isinstance(backend, Backend):
        backend = select_backend(backend or ck.config.backend)
    try:
        sim = Simulation(ck.config, backend=backend, run_dir=target, state=restore_state(ck, backend))
    except (ValueError, KeyError, IndexError, TypeError, PoolCapacityError) as exc:
        raise CheckpointError(checkpoint, f"cannot be restored by this alveosim ({type(exc).__name__}: {exc})") from None
    if target != home:
        target.mkdir(parents=True, exist_ok=True)
        write_config(target, ck.config)
        old_series = home / "timeseries.csv" if home is not None else None
        if old_series is not None and old_series.exists():
            shutil.copyfile(old_series, target / "timeseries.csv")
    sim.timeseries.continue_from(ck.step)
    return sim
