"""The I/O feature, last in ``alveosim.model.FEATURES``: attaches the checkpoint
and snapshot writers to every run that has a run directory."""

from __future__ import annotations

from alveosim.io.writers import CheckpointWriter, SnapshotWriter
from alveosim.schedule import schedule_trigger, steps_per_phase


def initialize(sim) -> None:
    """The writers add nothing to the initial state."""


def operations(sim) -> list:
    """Checkpoint writer (always, with a run directory) and snapshot writer
    (when ``output.snapshot_every`` is set; the initial state only when the
    schedule writes in the first phase)."""
    if sim.run_dir is None:
        return []
    out, phases = sim.config.output, sim.config.phases
    ops = [CheckpointWriter(sim.run_dir / "checkpoints", schedule_trigger(out.checkpoint_every, phases), out.checkpoint_keep)]
    if out.snapshot_every is not None:
        at_start = steps_per_phase(out.snapshot_every, phases)[0] is not None
        ops.append(SnapshotWriter(sim.run_dir / "snapshots", schedule_trigger(out.snapshot_every, phases), out.snapshot_max_agents,
                                  out.snapshot_field_stride, at_start))
    return ops
