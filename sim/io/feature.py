"""The I/O feature, last in ``sim.model.FEATURES``: attaches the checkpoint
and snapshot writers to every run that has a run directory."""

from __future__ import annotations

from sim.io.writers import CheckpointWriter, SnapshotWriter


def initialize(sim) -> None:
    """The writers add nothing to the initial state."""


def operations(sim) -> list:
    """Checkpoint writer (always, with a run directory) and snapshot writer
    (when ``output.snapshot_every`` is set)."""
    if sim.run_dir is None:
        return []
    out = sim.config.output
    ops = [CheckpointWriter(sim.run_dir / "checkpoints", out.checkpoint_every, out.checkpoint_keep)]
    if out.snapshot_every is not None:
        ops.append(SnapshotWriter(sim.run_dir / "snapshots", out.snapshot_every, out.snapshot_max_agents,
                                  out.snapshot_field_stride))
    return ops
