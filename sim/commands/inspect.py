"""``alveosim inspect FILE``: what a checkpoint or snapshot holds;
``alveosim inspect RUN_DIR --columns``: the time-series columns of a run."""

from rich.markup import escape

from alveosim.commands.common import console, err_console


def register(sub):
    p = sub.add_parser("inspect", help="show what a checkpoint, snapshot file or snapshot folder holds")
    p.add_argument("file", metavar="FILE", help="checkpoint (.h5), snapshot (.vtkhdf) or snapshot folder; with --columns a run directory")
    p.add_argument("--verify", action="store_true",
                   help="checkpoints: read everything, check the digest, the stored config and the contents (exit 2 on any damage)")
    p.add_argument("--columns", action="store_true",
                   help="run directories: list the columns of timeseries.csv with their units and descriptions (from run.json)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    import h5py

    from alveosim.io.errors import CheckpointError

    path = Path(args.file)
    if args.columns:
        return _columns(path)
    files = sorted(path.glob("*.vtkhdf")) if path.is_dir() else []
    if path.is_dir() and not files:
        err_console.print(f"{path}: a folder without .vtkhdf snapshot files", soft_wrap=True)
        return 2
    try:
        for f in files:
            _snapshot(f)
        if files:
            return 0
        if path.is_file() and h5py.is_hdf5(path):
            with h5py.File(path, "r") as f:
                is_snapshot = "VTKHDF" in f
            if is_snapshot:
                _snapshot(path)
                return 0
        if args.verify:
            from alveosim.io.checkpoint import read_checkpoint

            read_checkpoint(path)
        try:
            _checkpoint(path)
        except (ValueError, TypeError, KeyError) as exc:
            raise CheckpointError(path, f"damaged checkpoint metadata ({exc})") from None
        if args.verify:
            console.print(f"{path}: verified (digest, stored config, clock, pools and arrays)")
    except CheckpointError as exc:
        err_console.print(f"[bold red]cannot inspect:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    except (OSError, KeyError, ValueError, TypeError) as exc:
        detail = " ".join(str(exc).split())
        err_console.print(f"[bold red]cannot inspect:[/] {escape(f'{path}: damaged HDF5 file ({detail})')}", highlight=False, soft_wrap=True)
        return 2
    return 0


def _checkpoint(path) -> None:
    from rich.table import Table

    from alveosim.format import format_seconds
    from alveosim.io.checkpoint import summarize

    s = summarize(path)
    table = Table(title=f"checkpoint {path}", show_header=False)
    table.add_row("step", f"{s['step']:,}")
    table.add_row("time", f"{format_seconds(s['time_s'])} ({s['time_s']!r} s)")
    table.add_row("phase", f"{s['phase']} (index {s['phase_index']}, step {s['phase_step']:,} in it)")
    table.add_row("seed", str(s["seed"]))
    table.add_row("config hash", s["config_hash"])
    table.add_row("run id", str(s.get("run_id", "")) or "(none)")
    table.add_row("digest", f"{s.get('digest', '(none)')} (inspect --verify reads the file and checks it)")
    table.add_row("written", f"{s['written_at']} on {s['backend']} ({s['device']})")
    table.add_row("versions", ", ".join(f"{k} {v}" for k, v in s["versions"].items()))
    for name, p in s["pools"].items():
        table.add_row(f"species {name}", f"{p['n']:,} agents (capacity {p['capacity']:,}, next uid {p['next_uid']:,}); " + ", ".join(f"{k} {v}" for k, v in p["fields"].items()))
    for name, desc in s["arrays"].items():
        table.add_row(f"array {name}", desc)
    for name, value in s["values"].items():
        table.add_row(f"value {name}", f"{value!r}")
    console.print(table)


def _snapshot(path) -> None:
    from rich.table import Table

    from alveosim.io.vtkhdf import describe

    d = describe(path)
    a = d["attrs"]
    table = Table(title=f"snapshot {path} (VTKHDF {d['type']})", show_header=False)
    table.add_row("step", f"{a['alveosim_step']:,}" if "alveosim_step" in a else "?")
    table.add_row("time", f"{a['alveosim_time_s']!r} s" if "alveosim_time_s" in a else "?")
    table.add_row("config hash", str(a.get("alveosim_config_hash", "?")))
    if d["type"] == "ImageData":
        table.add_row("cells", " x ".join(map(str, d["cells"])) + f" (voxel {d['spacing']} um)")
    else:
        count = a.get("alveosim_count", d["points"])
        table.add_row("species", f"{a.get('alveosim_species', '?')}: {d['points']:,} points written of {count:,}")
        if a.get("alveosim_states", "[]") != "[]":
            table.add_row("states", str(a["alveosim_states"]))
    for name, info in d["arrays"].items():
        lo, hi = info["range"]
        table.add_row(f"array {name}", f"{info['dtype']}{info['shape']} range [{lo:.6g}, {hi:.6g}]")
    console.print(table)


def _columns(run_dir) -> int:
    """Print the time-series columns recorded in ``RUN_DIR/run.json``; 2 when
    there is no readable record with columns."""
    import json

    from rich.table import Table

    from alveosim.report import RUN_RECORD

    record = run_dir / RUN_RECORD
    try:
        columns = json.loads(record.read_text()).get("columns")
    except (OSError, ValueError) as exc:
        err_console.print(f"[bold red]cannot inspect:[/] {escape(f'{record}: {exc}')}", highlight=False, soft_wrap=True)
        return 2
    if not columns:
        err_console.print(f"[bold red]cannot inspect:[/] {escape(f'{record} lists no time-series columns')}", highlight=False, soft_wrap=True)
        return 2
    table = Table(title=f"time-series columns of {run_dir / 'timeseries.csv'}")
    for heading in ("column", "unit", "description"):
        table.add_column(heading)
    for c in columns:
        table.add_row(escape(c["name"]), escape(c["unit"]), escape(c["description"]))
    console.print(table)
    return 0
