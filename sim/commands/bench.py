"""``alveosim bench``: the benchmark suite (benchmarks/run.py)."""


def register(sub):
    from alveosim.benchmarks.run import add_arguments

    p = sub.add_parser("bench", help="run the benchmark suite (JSON results in benchmarks/results/)",
                       description="Run the benchmark suite on one backend, print a table and write JSON to benchmarks/results/.")
    add_arguments(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from alveosim.benchmarks.run import run as run_suite

    return run_suite(args)
