"""The ``alveosim`` command line (also ``python -m alveosim``).

Each command lives in a module with ``register(subparsers)`` that adds its
sub-parser and sets ``func``; :data:`COMMAND_MODULES` lists them in help order.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

COMMAND_MODULES = [
    "alveosim.commands.run",
    "alveosim.commands.resume",
    "alveosim.commands.inspect",
    "alveosim.commands.validate",
    "alveosim.commands.lattice",
    "alveosim.commands.info",
    "alveosim.commands.bench",
    "alveosim.commands.render",
    "alveosim.commands.plot",
    "alveosim.commands.sweep",
    "alveosim.commands.sensitivity",
    "alveosim.commands.cohort_report",
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
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from alveosim.backend import BackendError

    try:
        return int(args.func(args) or 0)
    except BackendError as exc:  # one line, no traceback: the machine lacks what the backend needs
        print(f"alveosim: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
