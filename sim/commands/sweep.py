"""``alveosim sweep SWEEP.yaml``: many runs of one base config on Dask."""

from rich.markup import escape

from alveosim.commands.common import console, err_console


def register(sub):
    p = sub.add_parser("sweep", help="run a parameter sweep, ensemble or virtual cohort (Dask) into a sweep directory")
    p.add_argument("sweep_file", metavar="SWEEP.yaml", help="sweep file: base config, set, grid/zip/sample, seeds, outputs")
    p.add_argument("--out", metavar="DIR", help="sweep directory (default: OUTPUT.DIR/NAME); rerunning resumes it")
    p.add_argument("--workers", type=int, metavar="N", help="LocalCluster worker processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--backend", choices=["cpu", "cuda", "auto"], help="every member's backend (cuda: one worker per GPU with dask-cuda)")
    p.add_argument("--skip-invalid", action="store_true", help="record members whose config does not validate as invalid and run the others")
    p.add_argument("--check", action="store_true", help="validate every member and print the count; run nothing")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from alveosim.config import ConfigError
    from alveosim.sweep.runner import prepare, run_sweep
    from alveosim.sweep.stats import stats_table

    extra = [f"backend={args.backend}"] if args.backend else []
    try:
        if args.check:
            _, members = prepare(args.sweep_file, extra, args.skip_invalid)
            console.print(f"{len(members)} members, all valid" if not any(m.error for m in members)
                          else f"{len(members)} members, {sum(bool(m.error) for m in members)} invalid")
            return 0
        if args.workers is not None and args.workers < 1:
            err_console.print("--workers must be at least 1")
            return 2
        table = run_sweep(args.sweep_file, out=args.out, workers=args.workers, scheduler=args.scheduler,
                          backend=args.backend, skip_invalid=args.skip_invalid, progress=not args.no_progress)
    except ConfigError as exc:
        err_console.print(f"[bold red]{len(exc.problems)} problem(s) in the sweep:[/]")
        for problem in exc.problems:
            err_console.print(f"  {problem}", highlight=False, markup=False)
        return 2
    except ImportError as exc:
        err_console.print(escape(str(exc)), highlight=False)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted: finished members are kept; rerun the same command to run the others")
        return 130
    sweep_dir = table.attrs.get("sweep_dir", "")
    counts = table["status"].value_counts().to_dict()
    console.print(", ".join(f"{n} {status}" for status, n in counts.items()) + f" of {len(table)} members", highlight=False)
    for _, row in table[table["status"] == "failed"].iterrows():
        console.print(f"  {row['member']} failed: {row['error']}", highlight=False, markup=False)
    stats = table.attrs["stats"]
    if len(stats):
        console.print(stats_table(stats[~stats["output"].str.contains("@")]))
    if sweep_dir:
        console.print(f"sweep directory: {sweep_dir} (results.parquet, results.csv, stats.csv)")
    return 0 if counts.get("done", 0) == len(table) else 1
