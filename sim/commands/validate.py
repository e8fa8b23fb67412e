"""``alveosim validate CONFIG``: print the resolved config or every problem (exit 2)."""

from sim.commands.common import add_config_arguments, console, load_from_args


def register(sub):
    p = sub.add_parser("validate", help="check a config and print it resolved to canonical units")
    add_config_arguments(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from sim.config import config_hash, resolved_yaml

    cfg = load_from_args(args)
    if cfg is None:
        return 2
    console.print(resolved_yaml(cfg), highlight=False, markup=False)
    console.print(f"# config hash: {config_hash(cfg)}  (units: um, s, pM for chemokines, nM for antibody)")
    return 0
