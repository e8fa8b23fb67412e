"""Arguments and helpers shared by several commands."""

from __future__ import annotations

import argparse

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def add_config_arguments(p: argparse.ArgumentParser) -> None:
    """CONFIG, --set (repeatable), --seed, --backend."""
    p.add_argument("config", metavar="CONFIG", help="YAML config file")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config key, e.g. --set species.walker.count=5000 (repeatable; validated like the file)")
    p.add_argument("--seed", type=int, help="random seed (overrides the config's seed)")
    p.add_argument("--backend", choices=["cpu", "cuda", "auto"], help="compute backend (overrides the config)")


def load_from_args(args):
    """Load the config named by ``args`` with its overrides, or print every
    problem and return None."""
    from sim.config import ConfigError, load_config

    overrides = list(args.overrides)
    if getattr(args, "seed", None) is not None:
        overrides.append(f"seed={args.seed}")
    if getattr(args, "backend", None) is not None:
        overrides.append(f"backend={args.backend}")
    try:
        return load_config(args.config, overrides)
    except ConfigError as exc:
        err_console.print(f"[bold red]{len(exc.problems)} problem(s) in the config:[/]")
        for problem in exc.problems:
            err_console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
        return None
