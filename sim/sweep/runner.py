"""Run a sweep: validate every member, then run the unfinished ones on Dask
into the sweep directory, keeping the results table up to date."""

from __future__ import annotations

from pathlib import Path

from alveosim.config import ConfigError, load_config
from alveosim.sweep.execute import is_finished, run_member
from alveosim.sweep.members import build_members
from alveosim.sweep.spec import SweepFile
from alveosim.sweep.stats import group_stats
from alveosim.sweep.table import build_table, member_dir, write_manifest, write_table


def prepare(path: str | Path, extra_overrides: list[str] = (), skip_invalid: bool = False):
    """``(sweep, members)`` with every member validated. Raises
    :class:`ConfigError` listing every invalid member (its sweep-file line and
    key) unless ``skip_invalid``, in which case they are kept with their error."""
    sweep = SweepFile(path)
    members = build_members(sweep, extra_overrides)
    invalid = [m for m in members if m.error]
    if invalid and not skip_invalid:
        raise ConfigError(str(path), [f"{m.id} (seed {m.seed}): {m.error}" for m in invalid])
    return sweep, members


def default_dir(sweep: SweepFile, members) -> Path:
    """``OUTPUT.DIR/NAME`` of the base config (with the common settings)."""
    valid = next((m for m in members if not m.error), None)
    out = load_config(sweep.base, valid.overrides).output.dir if valid is not None else "runs"
    return Path(out) / sweep.spec.name


def run_sweep(path: str | Path, out: str | Path | None = None, workers: int | None = None,
              scheduler: str | None = None, backend: str | None = None, skip_invalid: bool = False,
              progress: bool = True):
    """Run the sweep file ``path`` and return its results table (a pandas
    DataFrame, one row per member; see :mod:`alveosim.sweep.table`).

    Members already finished in the sweep directory (same config hash) are
    skipped; failed, interrupted and missing ones run. ``workers``: LocalCluster
    processes (default one per core); ``scheduler``: the address of a running
    Dask scheduler instead; ``backend`` overrides every member's backend
    (``cuda`` puts one worker on each GPU with dask-cuda). A script that
    calls this with a LocalCluster needs the ``if __name__ == "__main__":``
    guard: the worker processes are spawned and import the main module."""
    from alveosim.sweep.cluster import DASK_MISSING, dask_client, require

    require("distributed", DASK_MISSING)
    require("pandas", "the results table needs pandas and pyarrow: pip install 'alveosim[dist]'")
    extra = [f"backend={backend}"] if backend else []
    sweep, members = prepare(path, extra, skip_invalid)
    sweep_dir = Path(out) if out else default_dir(sweep, members)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    write_manifest(sweep_dir, sweep, members)
    pending = [m for m in members if not m.error and not is_finished(member_dir(sweep_dir, m.id), m.config_hash)]
    outputs = sweep.spec.outputs
    gpu = backend == "cuda" and not scheduler
    try:
        if pending:
            with dask_client(scheduler, workers, gpu) as (client, threads):
                futures = [client.submit(run_member, str(member_dir(sweep_dir, m.id).resolve()), str(sweep.base),
                                         m.overrides, outputs.columns, outputs.times, m.config_hash, threads,
                                         key=f"{sweep.spec.name}-{m.id}-{m.config_hash}", pure=False)
                           for m in pending]
                _collect(futures, len(members), len(members) - len(pending), sweep_dir, progress)
    finally:
        table = build_table(sweep_dir)
        write_table(sweep_dir, table)
    stats = group_stats(table, sweep.spec.varied_keys)
    stats.to_csv(sweep_dir / "stats.csv", index=False)
    table.attrs.update(sweep_dir=str(sweep_dir), varied=sweep.spec.varied_keys, stats=stats)
    return table


def _collect(futures, total: int, already: int, sweep_dir: Path, show: bool) -> None:
    """Wait for the members with a progress bar, refreshing the results table
    after each (at most every 2 s)."""
    import time

    from distributed import as_completed
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = [TextColumn("members"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
               TimeElapsedColumn(), TimeRemainingColumn()]
    last_write = time.monotonic()
    with Progress(*columns, disable=not show, transient=False) as bar:
        task = bar.add_task("members", total=total, completed=already, failed=0)
        failed = 0
        for future in as_completed(futures):
            record = future.result()
            failed += record["status"] != "done"
            bar.update(task, advance=1, failed=failed)
            if time.monotonic() - last_write > 2.0:
                write_table(sweep_dir, build_table(sweep_dir))
                last_write = time.monotonic()
