"""``alveosim bench``: the benchmark suite (benchmarks/run.py)."""

import argparse


def register(sub):
    p = sub.add_parser("bench", help="run the benchmark suite (JSON results in benchmarks/results/)", add_help=False)
    p.add_argument("bench_args", nargs=argparse.REMAINDER, help="arguments of benchmarks/run.py (--backend, --quick, --only, --compare, --out)")
    p.set_defaults(func=run, pass_through="bench_args")


def run(args) -> int:
    from benchmarks.run import main

    return main(args.bench_args)
