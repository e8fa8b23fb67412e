"""``alveosim run CONFIG``: run a config into a new run directory."""

from alveosim.commands.common import add_config_arguments, add_force_argument, console, err_console, load_from_args, preflight


def register(sub):
    p = sub.add_parser("run", help="run a config (progress bar, summary table, run directory)")
    add_config_arguments(p)
    p.add_argument("--out", metavar="DIR", help="run directory (default: OUTPUT.DIR/NAME, suffixed -1, -2… if taken)")
    p.add_argument("--overwrite", action="store_true", help="replace the run directory if it is one alveosim made (never another folder)")
    add_force_argument(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar (nor heartbeat lines when the output is not a terminal)")
    p.add_argument("--verbose", action="store_true", help="end with every measure of the last time-series row, not only the headline")
    p.set_defaults(func=run)


def run(args) -> int:
    """Everything is checked (config, run size, run directory, initial
    state) before the run directory is created."""
    from pathlib import Path

    from rich.markup import escape

    from alveosim.backend import BackendError
    from alveosim.pools import PoolCapacityError
    from alveosim.resources import refusal
    from alveosim.rundir import RunDirError, create_run_dir, plan_run_dir, write_config
    from alveosim.simulation import Simulation
    from alveosim.summary import summary_table

    cfg = load_from_args(args)
    if cfg is None or not preflight(cfg, args.force):
        return 2
    problem = refusal(cfg)  # the memory check: --force never overrides it
    if problem:
        err_console.print(f"[bold red]error:[/] {escape(problem)}", highlight=False, soft_wrap=True)
        return 2
    out = Path(args.out) if args.out else Path(cfg.output.dir) / cfg.name
    try:
        run_dir = plan_run_dir(out.parent, out.name, overwrite=args.overwrite)
        sim = Simulation(cfg, run_dir=run_dir)
        create_run_dir(run_dir)
    except (RunDirError, BackendError, PoolCapacityError, ValueError) as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    write_config(run_dir, cfg)
    console.print(f"backend: {sim.backend.description}")
    console.print(f"run directory: {run_dir}")
    result = sim.run(progress=not args.no_progress and cfg.output.progress)
    console.print(summary_table(sim, result, verbose=args.verbose))
    return 130 if result.interrupted else 0
