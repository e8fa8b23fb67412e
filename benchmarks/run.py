"""The benchmark suite: runs every benchmark module on one backend, merges
their rows into one JSON file, prints a table, and compares with an earlier
result (``--compare BASE.json``: throughput ratios per kernel and size).

    python -m alveosim.benchmarks.run [--backend cpu|cuda] [--quick] [--compare BASE.json]
    alveosim bench ...      (the same)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from importlib import import_module
from pathlib import Path

from alveosim.benchmarks.common import RESULTS_DIR, print_rows

# module -> (arguments for --quick, arguments for the full run); every module
# has main(argv) writing its rows with common.write_results and, unless it is
# in HOST_ONLY, taking --backend.
SUITE = {
    "bench_agents": (["--sizes", "100000"], ["--sizes", "100000", "1000000"]),
    "bench_blood": (["--sizes", "100000"], ["--sizes", "100000", "1000000"]),
    "bench_lattice": (["--sizes", "64"], ["--sizes", "64", "128"]),
    "bench_diffusion": (["--sizes", "64"], ["--sizes", "128", "256"]),
    "bench_checkpoint": (["--agents", "100000", "--voxels", "64"], ["--agents", "1000000", "--voxels", "128"]),
    "bench_tumour": (["--sizes", "20000", "--repeats", "1"], ["--sizes", "100000"]),
    "bench_render": (["--agents", "100000", "--repeats", "1"], ["--agents", "100000", "1000000"]),
    "bench_scale": (["--sizes", "32", "48"], ["--sizes", "64", "128", "256", "400"]),
    "bench_flow": (["--sizes", "32"], ["--sizes", "128", "200"]),
    "bench_window": (["--box", "50", "50", "25", "--window", "0.1", "--days", "0.25"], ["--box", "150", "150", "75", "--window", "1"]),
}
# modules that run on the host whatever the backend (no --backend option), and the extra they need
HOST_ONLY = {"bench_render": "pyvista", "bench_flow": "pyamg"}


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


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The suite's options, shared by ``python -m alveosim.benchmarks.run`` and ``alveosim bench``."""
    p.add_argument("--backend", default="cpu", choices=["cpu", "cuda", "auto"], help="compute backend (default: cpu)")
    p.add_argument("--quick", action="store_true", help="smallest sizes only (a smoke run)")
    p.add_argument("--only", nargs="+", metavar="MODULE", choices=list(SUITE), help="run only these modules (e.g. bench_agents)")
    p.add_argument("--compare", metavar="BASE.json", help="print throughput ratios against an earlier suite result")
    p.add_argument("--out", metavar="FILE", help="suite JSON path (default: benchmarks/results/suite-<backend>-<host>.json)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m alveosim.benchmarks.run", description="run the benchmark suite and write JSON results")
    add_arguments(p)
    return run(p.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the modules selected by ``args`` (from :func:`add_arguments`); exit status."""
    import os
    import tempfile

    from alveosim.benchmarks.common import write_results
    from alveosim.backend import BackendError, select_backend

    try:
        backend = select_backend(args.backend)
    except BackendError as exc:  # one line before anything runs, not a traceback
        print(f"alveosim bench: {exc}", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ALVEOSIM_BENCH_DIR"] = tmp
        try:
            for name, (quick, full) in SUITE.items():
                if args.only and name not in args.only:
                    continue
                if name in HOST_ONLY and importlib.util.find_spec(HOST_ONLY[name]) is None:
                    print(f"{name}: skipped, needs {HOST_ONLY[name]} (pip install 'alveosim[render]')")
                    continue
                backend_args = [] if name in HOST_ONLY else ["--backend", args.backend]
                import_module(f"alveosim.benchmarks.{name}").main([*(quick if args.quick else full), *backend_args])
        finally:
            del os.environ["ALVEOSIM_BENCH_DIR"]
        extras = {}  # per module, what its JSON holds besides the rows (e.g. bench_scale's growth exponents)
        for path in sorted(Path(tmp).glob("*.json")):
            doc = json.loads(path.read_text())
            rows += [dict(r, benchmark=doc["benchmark"]) for r in doc["rows"]]
            extra = {k: v for k, v in doc.items() if k not in ("benchmark", "date", "machine", "rows")}
            if extra:
                extras[doc["benchmark"]] = extra
    if not rows:
        print("no benchmark selected")
        return 2
    print_rows(rows)
    path = write_results("suite", backend, rows, extra={"extras": extras} if extras else None,
                         out_dir=Path(args.out).parent if args.out else RESULTS_DIR)
    if args.out:
        path = path.rename(args.out)
    print(f"wrote {path}")
    if args.compare:
        print_rows(compare(rows, Path(args.compare)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
