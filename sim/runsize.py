"""The size of a run from its config alone (steps, files it writes), and the
limits above which ``run`` and ``validate`` ask for ``--force``: a config
with a slip of the unit (``dt: 1 us`` for ``1 ms``) is caught before it
fills a disk or runs for weeks."""

from __future__ import annotations

from alveosim.resources import extension_pool_rows

MAX_STEPS = 10_000_000
MAX_OUTPUT_FILES = 10_000

# agent pools each config section creates (one snapshot file each per snapshot)
_POOLS = {"macrophages": 1, "blood": 2, "tumour": 1, "alveolar_macrophages": 2}


def total_steps(cfg) -> int:
    """Steps of every phase plus the blood steps of their blood windows."""
    return sum(p.n_steps + window_steps(p) for p in cfg.phases)


def window_steps(phase) -> int:
    """Blood steps the phase's blood windows take (0 without windows): one
    window every ``every`` of tissue time, ``duration / dt`` steps each."""
    w = phase.blood_windows
    if w is None:
        return 0
    return int(phase.n_steps // max(1, round(w.every / phase.dt))) * w.n_steps


def writes(schedule, phases) -> int:
    """Writes a schedule makes at most over ``phases`` (one per period of
    each phase, plus the final write)."""
    from alveosim.schedule import steps_per_phase

    return sum(p.n_steps // n for p, n in zip(phases, steps_per_phase(schedule, phases)) if n) + 1


def output_files(cfg) -> int:
    """Files the run writes at most: checkpoints (each write, before
    pruning), snapshot files (grids and each pool per snapshot) and the
    time series."""
    out = cfg.output
    checkpoints = writes(out.checkpoint_every, cfg.phases)
    snapshots = 0
    if out.snapshot_every is not None:
        pools = sum(n for key, n in _POOLS.items() if getattr(cfg, key, None)) + len(extension_pool_rows(cfg))
        snapshots = (writes(out.snapshot_every, cfg.phases) + 1) * (1 + pools)
    return checkpoints + snapshots + 1


def run_size_problems(cfg) -> list[str]:
    """One line for each limit the run exceeds, with the numbers."""
    problems = []
    steps = total_steps(cfg)
    if steps > MAX_STEPS:
        per_phase = ", ".join(f"{p.name} {p.n_steps + window_steps(p):,}" for p in cfg.phases)
        problems.append(f"the run takes {steps:,} steps ({per_phase}), more than {MAX_STEPS:,}; check the phases' dt, or pass --force")
    files = output_files(cfg)
    if files > MAX_OUTPUT_FILES:
        problems.append(f"the run writes about {files:,} files (checkpoints and snapshots), more than {MAX_OUTPUT_FILES:,}; "
                        "check output.checkpoint_every and output.snapshot_every, or pass --force")
    return problems
