"""The benchmark suite: runs every benchmark module on one backend, merges
their rows into one JSON file, prints a table, and compares with an earlier
result (``--compare BASE.json``: throughput ratios per kernel and size).

    python -m benchmarks.run [--backend cpu|cuda] [--quick] [--compare BASE.json]
    alveosim bench ...      (the same)
"""

from __future__ import annotations

import argparse
import json
from importlib import import_module
from pathlib import Path

from benchmarks.common import RESULTS_DIR, print_rows

# module -> (quick sizes, full sizes); each module has run(sizes, backend_name) -> (backend, rows, bandwidth)
SUITE = {
    "benchmarks.bench_agents": ([100_000], [100_000, 1_000_000]),
}


def throughput(row: dict) -> float | None:
    return row.get("agent_updates_per_s") or row.get("voxel_updates_per_s") or row.get("MBps")


def compare(rows: list[dict], base_path: Path) -> list[dict]:
    """Rows of (kernel, size, backend, ratio new/base of throughput)."""
    base = json.loads(Path(base_path).read_text())
    index = {(r["kernel"], r["size"], r["backend"]): throughput(r) for r in base["rows"]}
    out = []
    for r in rows:
        old = index.get((r["kernel"], r["size"], r["backend"]))
        new = throughput(r)
        if old and new:
            out.append({"kernel": r["kernel"], "size": r["size"], "backend": r["backend"], "seconds": r["seconds"], "ratio_vs_base": new / old})
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="alveosim bench", description="run the benchmark suite and write JSON results")
    p.add_argument("--backend", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--quick", action="store_true", help="smallest sizes only (a smoke run)")
    p.add_argument("--only", nargs="+", metavar="MODULE", help="run only these modules (e.g. bench_agents)")
    p.add_argument("--compare", metavar="BASE.json", help="print throughput ratios against an earlier suite result")
    p.add_argument("--out", metavar="FILE", help="suite JSON path (default: benchmarks/results/suite-<backend>-<host>.json)")
    args = p.parse_args(argv)

    from benchmarks.common import write_results

    rows, backend, bandwidth = [], None, None
    for module, (quick, full) in SUITE.items():
        if args.only and module.rsplit(".", 1)[-1] not in args.only:
            continue
        backend, mod_rows, bandwidth = import_module(module).run(quick if args.quick else full, args.backend)
        rows += [dict(r, module=module) for r in mod_rows]
    if backend is None:
        print("no benchmark selected")
        return 2
    print_rows(rows)
    path = write_results("suite", backend, rows, {"copy_bandwidth_GBps": bandwidth / 1e9},
                         out_dir=Path(args.out).parent if args.out else RESULTS_DIR)
    if args.out:
        path = path.rename(args.out)
    print(f"wrote {path}")
    if args.compare:
        print_rows(compare(rows, Path(args.compare)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
