"""Arguments and helpers shared by several commands."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)


def add_config_arguments(p: argparse.ArgumentParser) -> None:
    """CONFIG, --set (repeatable), --seed, --backend."""
    p.add_argument("config", metavar="CONFIG", help="YAML config file, or the name of a shipped scenario (e.g. quickstart)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config key, e.g. --set seed=5 (repeatable; validated like the file)")
    p.add_argument("--seed", type=int, help="random seed (overrides the config's seed)")
    p.add_argument("--backend", choices=["cpu", "cuda", "auto"], help="compute backend (overrides the config)")


def load_from_args(args):
    """Load the config named by ``args`` with its overrides, or print every
    problem and return None."""
    from alveosim.config import ConfigError, load_config
    from alveosim.config.shipped import resolve_config_path

    overrides = list(args.overrides)
    if getattr(args, "seed", None) is not None:
        overrides.append(f"seed={args.seed}")
    if getattr(args, "backend", None) is not None:
        overrides.append(f"backend={args.backend}")
    try:
        return load_config(resolve_config_path(args.config), overrides)
    except ConfigError as exc:
        print_problems(exc.problems, "config")
        return None


def print_problems(problems: list[str], what: str) -> None:
    """One line for one problem; a count and one line each for several
    (never wrapped, so each stays one line)."""
    if len(problems) == 1:
        err_console.print(f"[bold red]error:[/] {escape(problems[0])}", highlight=False, soft_wrap=True)
        return
    err_console.print(f"[bold red]{len(problems)} problem(s) in the {what}:[/]")
    for problem in problems:
        err_console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)


def add_force_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true", help="run even when the run is larger than the usual limits (steps, output files)")


def preflight(cfg, force: bool) -> bool:
    """Everything checked before a run creates its directory, beyond the
    config's own validation: the run's size (unless ``force``). This is the
    one place for checks of a whole run against limits or the machine (a
    memory estimate belongs here too). Prints each problem on one line; True
    when the run may go ahead."""
    from alveosim.runsize import run_size_problems

    problems = [] if force else run_size_problems(cfg)
    if problems:
        print_problems(problems, "run size")
    return not problems
