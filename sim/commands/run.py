"""``alveosim run CONFIG``: run a config into a new run directory."""

from sim.commands.common import add_config_arguments, console, err_console, load_from_args


def register(sub):
    p = sub.add_parser("run", help="run a config (progress bar, summary table, run directory)")
    add_config_arguments(p)
    p.add_argument("--out", metavar="DIR", help="run directory (default: OUTPUT.DIR/NAME, suffixed -1, -2… if taken)")
    p.add_argument("--overwrite", action="store_true", help="replace the run directory if it exists")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (nor heartbeat lines when the output is not a terminal)")
    p.add_argument("--verbose", action="store_true", help="end with every measure of the last time-series row, not only the headline")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from sim.resources import refusal
    from sim.rundir import make_run_dir, write_config
    from sim.simulation import Simulation
    from sim.summary import summary_table

    cfg = load_from_args(args)
    if cfg is None:
        return 2
    problem = refusal(cfg)
    if problem:
        err_console.print(problem, highlight=False, markup=False, soft_wrap=True)
        return 2
    if args.out:
        out = Path(args.out)
        run_dir = make_run_dir(out.parent, out.name, overwrite=args.overwrite)
    else:
        run_dir = make_run_dir(cfg.output.dir, cfg.name, overwrite=args.overwrite)
    write_config(run_dir, cfg)
    sim = Simulation(cfg, run_dir=run_dir)
    console.print(f"backend: {sim.backend.description}")
    console.print(f"run directory: {run_dir}")
    result = sim.run(progress=not args.no_progress and cfg.output.progress)
    console.print(summary_table(sim, result, verbose=args.verbose))
    return 130 if result.interrupted else 0
