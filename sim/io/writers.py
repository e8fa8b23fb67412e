"""The writer operations that put checkpoints and snapshots in a run
directory: on their time trigger, and once more when the run ends (normally
or after Ctrl-C, never after an error that may have left a step half done)."""

from __future__ import annotations

import sys
from pathlib import Path

from alveosim.io.atomic import remove_stale
from alveosim.io.checkpoint import write_checkpoint
from alveosim.io.snapshot import write_snapshot
from alveosim.operations import Operation
from alveosim.triggers import Trigger


def _clean_exit() -> bool:
    """True unless an exception is propagating through the run loop's finally."""
    return sys.exc_info()[0] is None


class CheckpointWriter(Operation):
    """Writes ``directory/step_<step>.h5`` when ``trigger`` fires (the
    config's ``output.checkpoint_every``, see :mod:`alveosim.schedule`) and at the
    end of the run, keeping the newest ``keep`` checkpoints. The initial
    state is not checkpointed: the config reproduces it."""

    writer = True
    name = "io.checkpoint"

    def __init__(self, directory: str | Path, trigger: Trigger, keep: int):
        super().__init__(trigger)
        self.directory = Path(directory)
        self.keep = keep
        self.last_step: int | None = None

    def attach(self, sim):
        """Also removes temporary files that a killed earlier run left in the
        run directory and its checkpoint and snapshot folders."""
        super().attach(sim)
        self.last_step = sim.state.step
        for folder in (self.directory.parent, self.directory, self.directory.parent / "snapshots"):
            remove_stale(folder)

    def act(self, state, dt):
        if dt > 0.0:
            self.write(state)

    def write(self, state) -> Path | None:
        """Checkpoint the current step (once per step); returns the file."""
        if state.step == self.last_step:
            return None
        path = write_checkpoint(self.sim, self.directory / f"step_{state.step:010d}.h5")
        self.last_step = state.step
        self._prune(state.step)
        return path

    def _prune(self, step: int) -> None:
        """Delete all but the newest ``keep`` checkpoints up to ``step`` (those
        after it belong to a run resumed from an earlier checkpoint and are left)."""
        files = sorted(p for p in self.directory.glob("step_*.h5") if int(p.stem[5:]) <= step)
        for old in files[: -self.keep]:
            old.unlink(missing_ok=True)

    def finish(self, state):
        if _clean_exit():
            self.write(state)


class SnapshotWriter(Operation):
    """Writes a VTKHDF snapshot folder when ``trigger`` fires (the config's
    ``output.snapshot_every``), at the start of a new run when ``at_start``
    (the schedule writes in the first phase) and at its end; pools above
    ``max_agents`` are subsampled evenly and grid arrays keep every
    ``field_stride``-th voxel per axis (the files record both)."""

    writer = True
    name = "io.snapshot"
    after = "io.checkpoint"

    def __init__(self, directory: str | Path, trigger: Trigger, max_agents: int | None, field_stride: int = 1,
                 at_start: bool = True):
        super().__init__(trigger)
        self.directory = Path(directory)
        self.max_agents = max_agents
        self.field_stride = field_stride
        self.at_start = at_start
        self.last_step: int | None = None

    def attach(self, sim):
        super().attach(sim)
        self.last_step = sim.state.step if sim.state.step > 0 else None

    def act(self, state, dt):
        if dt > 0.0 or self.at_start:
            self.write(state)

    def write(self, state) -> list[Path]:
        if state.step == self.last_step:
            return []
        files = write_snapshot(self.sim, self.directory, self.max_agents, self.field_stride)
        self.last_step = state.step
        return files

    def finish(self, state):
        if _clean_exit():
            self.write(state)
