"""``alveosim validate CONFIG``: print the resolved config or every problem
(exit 2), headed by its hash and its memory estimate as YAML comments;
with ``--steps``, the step order instead (the simulation is built, lattice
and flow included, and not stepped); ``--channels`` sets the model up on the
CPU and adds its channels (who publishes what, who reads it), or the one-line
wiring error (exit 2)."""

from alveosim.commands.common import add_config_arguments, add_force_argument, load_from_args, preflight


def register(sub):
    p = sub.add_parser("validate", help="check a config and print it resolved (defaults filled in, values in the units given) with its hash")
    add_config_arguments(p)
    add_force_argument(p)
    p.add_argument("--steps", action="store_true",
                   help="print the step order per clock instead (one line per operation: name, clocks, trigger, after/before)")
    p.add_argument("--channels", action="store_true", help="set the model up (lattice, flow, initial state; on the CPU) and list its channels: producer -> consumers")
    p.set_defaults(func=run)


def run(args) -> int:
    import os
    import sys

    from alveosim.config import config_hash
    from alveosim.config.display import display_yaml
    from alveosim.resources import estimate, refusal

    cfg = load_from_args(args)
    if cfg is None or not preflight(cfg, args.force):
        return 2
    if args.steps:
        return print_steps(cfg)
    wiring = []
    if args.channels:
        from alveosim.channels import ChannelError
        from alveosim.simulation import Simulation

        try:
            wiring = Simulation(cfg, backend="cpu").wiring()
        except ChannelError as exc:
            sys.stderr.write(f"alveosim validate: {exc}\n")
            return 2
    # plain writes, never wrapped: the output is valid YAML that validates to the same hash
    try:
        sys.stdout.write(f"# config hash: {config_hash(cfg)} (of the config in canonical units: um, s, pM, nM)\n")
        budget = estimate(cfg)
        sys.stdout.write("# memory estimate (peak):\n" + "".join(f"#   {line}\n" for line in budget.lines()))
        problem = refusal(cfg, budget)
        if problem:
            sys.stdout.write(f"# {problem}\n")
        if wiring:
            sys.stdout.write("# channels (producer -> consumers; ? = optional):\n" + "".join(f"#   {line}\n" for line in wiring))
        sys.stdout.write(display_yaml(cfg))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def print_steps(cfg) -> int:
    """Build the simulation of ``cfg`` (in a scratch run directory, so the
    writers are there too) and print its step order; 2 when it cannot be built."""
    import tempfile

    from alveosim.commands.common import print_problems
    from alveosim.ordering import step_lines
    from alveosim.simulation import Simulation

    with tempfile.TemporaryDirectory() as scratch:
        try:
            sim = Simulation(cfg, run_dir=scratch)
        except ValueError as exc:
            print_problems([str(exc)], "operations")
            return 2
        clocks = dict.fromkeys(phase.clock for phase in cfg.phases)
        print(f"# step order of {len(sim.operations)} operations (from their after/before declarations)")
        print("\n".join(step_lines(sim.operations, clocks)))
    return 0
