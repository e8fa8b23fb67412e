"""Checks of a checkpoint's contents against its own config and this
machine, after its digest matched: a file written by another program (or
edited and re-digested) still cannot make a resume overflow, allocate
absurd memory or continue from a clock position the config cannot reach.
Every problem raises :class:`CheckpointError`."""

from __future__ import annotations

import math
import os

import numpy as np

from alveosim.io.errors import CheckpointError
from alveosim.species import UID_FIELD

MAX_AGENTS = 2**31 - 1


def machine_bytes() -> int:
    """Physical memory of this machine (bytes; a large number where unknown)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 50


def check_checkpoint(ck) -> None:
    """Clock, pools and arrays of ``ck`` (a read :class:`Checkpoint`) are
    consistent with its config; raise :class:`CheckpointError` otherwise."""
    _check_clock(ck)
    for name, pool in ck.pools.items():
        _check_pool(ck.path, name, pool)
    _check_arrays(ck)
    bad = sorted(k for k, v in ck.values.items() if not isinstance(v, (int, float)) or not math.isfinite(v))
    if bad:
        raise CheckpointError(ck.path, f"values {bad} are not finite numbers")


def _check_clock(ck) -> None:
    phases = ck.config.phases
    if ck.seed != ck.config.seed:
        raise CheckpointError(ck.path, f"seed {ck.seed} differs from the stored config's seed {ck.config.seed}")
    if not 0 <= ck.phase_index <= len(phases):
        raise CheckpointError(ck.path, f"phase index {ck.phase_index} of a run with {len(phases)} phases")
    limit = phases[ck.phase_index].n_steps if ck.phase_index < len(phases) else 0
    if not 0 <= ck.phase_step <= limit:
        raise CheckpointError(ck.path, f"step {ck.phase_step} in phase {ck.phase_index}, which has {limit} steps")
    step = sum(p.n_steps for p in phases[: ck.phase_index]) + ck.phase_step
    if ck.step != step:
        raise CheckpointError(ck.path, f"step {ck.step} does not match phase {ck.phase_index}, step {ck.phase_step} in it (step {step})")
    start = sum(p.n_steps * p.dt for p in phases[: ck.phase_index])
    time = start + ck.phase_step * phases[ck.phase_index].dt if ck.phase_step else start
    if not math.isclose(ck.time, time, rel_tol=1e-12, abs_tol=1e-9):
        raise CheckpointError(ck.path, f"time {ck.time!r} s does not match step {ck.step} ({time!r} s)")


def _check_pool(path, name: str, pool) -> None:
    if not 0 <= pool.n <= pool.capacity <= MAX_AGENTS:
        raise CheckpointError(path, f"species {name!r}: {pool.n} agents in a capacity of {pool.capacity} (at most {MAX_AGENTS:,})")
    need = pool.capacity * pool.species.bytes_per_agent()
    if need > machine_bytes():
        raise CheckpointError(path, f"species {name!r}: capacity {pool.capacity:,} needs {need / 2**30:,.1f} GiB, more than this machine has")
    uids = pool.fields.get(UID_FIELD)
    top = int(uids.max()) + 1 if uids is not None and len(uids) else 0
    if pool.next_uid < top or (uids is not None and len(uids) and int(uids.min()) < 0):
        raise CheckpointError(path, f"species {name!r}: next uid {pool.next_uid} but uids up to {top - 1} are taken")
    if uids is not None and len(np.unique(uids)) != len(uids):
        raise CheckpointError(path, f"species {name!r}: repeated uids")


def _on_grid(dims: tuple, shape: tuple) -> bool:
    """``dims`` are the voxel grid ``shape``, or its faces along one axis (one more there)."""
    extra = [d - s for d, s in zip(dims, shape)]
    return all(e in (0, 1) for e in extra) and sum(extra) <= 1


def _check_arrays(ck) -> None:
    shape = tuple(ck.config.domain.shape)
    for name, arr in ck.arrays.items():
        if arr.dtype.kind not in "biuf":
            raise CheckpointError(ck.path, f"array {name!r} holds {arr.dtype}, not numbers")
        if arr.ndim >= 3 and not (_on_grid(arr.shape[:3], shape) or _on_grid(arr.shape[-3:], shape)):
            raise CheckpointError(ck.path, f"array {name!r} has shape {list(arr.shape)}; the domain is {list(shape)} voxels")
