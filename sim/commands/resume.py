"""``alveosim resume CHECKPOINT``: continue a run from a checkpoint."""

from rich.markup import escape

from alveosim.commands.common import console, err_console


def register(sub):
    p = sub.add_parser("resume", help="continue a run from a checkpoint (same or another backend)")
    p.add_argument("checkpoint", metavar="CHECKPOINT", help="checkpoint file, RUN_DIR/checkpoints/step_*.h5")
    p.add_argument("--until", metavar="TIME", help="stop at this simulated time, e.g. '4 h' (default: the end of the last phase)")
    p.add_argument("--backend", choices=["cpu", "cuda", "auto"], help="compute backend (default: the config's)")
    p.add_argument("--out", metavar="NEW_RUN_DIR", help="continue into a new (absent or empty) run directory instead of the checkpoint's own")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (nor heartbeat lines when the output is not a terminal)")
    p.add_argument("--verbose", action="store_true", help="end with every measure of the last time-series row, not only the headline")
    p.set_defaults(func=run)


def run(args) -> int:
    from alveosim.backend import BackendError
    from alveosim.format import format_seconds
    from alveosim.io.errors import CheckpointError
    from alveosim.io.resume import resume
    from alveosim.summary import summary_table
    from alveosim.units import UnitError, parse

    until = None
    if args.until is not None:
        try:
            until = parse(args.until, "s")
        except UnitError as exc:
            err_console.print(f"[bold red]--until:[/] {escape(f'{args.until!r}: {exc}')}", highlight=False)
            return 2
    try:
        sim = resume(args.checkpoint, backend=args.backend, run_dir=args.out, until=until)
    except CheckpointError as exc:
        err_console.print(f"[bold red]cannot resume:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    except BackendError as exc:
        err_console.print(f"[bold red]backend:[/] {escape(str(exc))}", highlight=False)
        return 2
    st = sim.state
    console.print(f"backend: {sim.backend.description}")
    console.print(f"resuming at step {st.step:,} (t = {format_seconds(st.time)}) into {sim.run_dir}")
    result = sim.run(until=until, progress=not args.no_progress and sim.config.output.progress)
    console.print(summary_table(sim, result, verbose=args.verbose))
    return 130 if result.interrupted else 0
