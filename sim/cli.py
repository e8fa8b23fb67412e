"""The ``alveosim`` command line (also ``python -m sim``).

Each command lives in a module with ``register(subparsers)`` that adds its
sub-parser and sets ``func``; :data:`COMMAND_MODULES` lists them in help order.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

COMMAND_MODULES = [
    "sim.commands.run",
    "sim.commands.resume",
    "sim.commands.inspect",
    "sim.commands.validate",
    "sim.commands.lattice",
    "sim.commands.info",
    "sim.commands.bench",
    "sim.commands.render",
    "sim.commands.plot",
    "sim.commands.sweep",
    "sim.commands.sensitivity",
    "sim.commands.cohort_report",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alveosim",
        description="GPU-accelerated agent-based simulator of lung tissue (alveoli, capillaries, macrophages, vesicles, platelets, tumours).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # options for a command that passes its arguments on (argparse's REMAINDER misses leading options)
        target = getattr(args, "pass_through", None)
        if target is None:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        setattr(args, target, extra + getattr(args, target))
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
