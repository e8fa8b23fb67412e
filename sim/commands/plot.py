"""``alveosim plot RUN_DIR…``: figures of the time series (matplotlib)."""

from rich.markup import escape

from alveosim.commands.common import console, err_console


def register(sub):
    p = sub.add_parser("plot", help="figures of a run's time series (or a sweep's dose-response and time courses); --compare overlays several runs")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run directory (several with --compare), or a sweep directory")
    p.add_argument("--compare", action="store_true", help="overlay the runs in one figure per phase (sweep directories: each design point's mean ± SD across seeds)")
    p.add_argument("--out", metavar="DIR", help="folder for the figures (default: RUN_DIR/plots; with --compare: ./compare)")
    p.set_defaults(func=run)


def run(args) -> int:
    from alveosim.plot import plot_compare, plot_run
    from alveosim.sweep.table import is_sweep_dir

    try:
        if not args.compare and len(args.run_dirs) == 1 and is_sweep_dir(args.run_dirs[0]):
            from alveosim.sweep.plots import plot_sweep

            figures = plot_sweep(args.run_dirs[0], args.out)
        elif args.compare and any(is_sweep_dir(d) for d in args.run_dirs):
            from alveosim.sweep.plots import plot_compare_groups

            figures = plot_compare_groups(args.run_dirs, args.out or "compare")
        elif args.compare:
            figures = plot_compare(args.run_dirs, args.out or "compare")
        elif len(args.run_dirs) > 1:
            err_console.print("several run directories: add --compare to overlay them")
            return 2
        else:
            figures = plot_run(args.run_dirs[0], args.out)
    except (FileNotFoundError, ValueError, ImportError) as exc:
        err_console.print(f"[bold red]cannot plot:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    for path, panels in figures.items():
        console.print(f"{path}: {', '.join(panels)}", highlight=False)
    return 0
