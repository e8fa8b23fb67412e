"""Lattice generation and capillary flow solve at a few sizes: voxels/s and
CG iterations, written as JSON through benchmarks.common.

    python -m alveosim.benchmarks.bench_lattice --sizes 64 128 [--backend cpu|cuda]
"""

from __future__ import annotations

import argparse
import time

from alveosim.benchmarks.common import copy_bandwidth, finish_row, print_rows, time_call, write_results
from alveosim.backend import select_backend
from alveosim.lattice.config import LatticeConfig
from alveosim.lattice.flow import Flow
from alveosim.lattice.generate import generate
from alveosim.state import State

VOXEL = 2.5  # um


def bench_size(backend, n: int, repeats: int) -> list[dict]:
    """Rows for an n^3 mouse lattice: generation, a cold flow solve, a warm re-solve."""
    cfg = LatticeConfig.model_validate({"species": "mouse"})
    shape = (n, n, n)
    voxels = n**3
    seconds = time_call(lambda: generate(backend, shape, VOXEL, cfg, seed=1), backend, repeats=repeats)
    rows = [{"kernel": "lattice_generate", "size": voxels, "backend": backend.name, "seconds": seconds,
             "voxel_updates_per_s": voxels / seconds, "bytes_per_call": voxels * 5}]
    lattice = generate(backend, shape, VOXEL, cfg, seed=1)
    flow = Flow(backend, VOXEL, cfg.capillary_thickness**2 / 12.0, cfg.flow)

    def cold():
        st = State(backend, 1)
        st.arrays["labels"] = lattice.labels
        st.arrays["occluded"] = backend.xp.zeros(shape, dtype="uint8")
        return st, flow.solve(st)

    cold()  # compile
    t0 = time.perf_counter()
    st, sol = cold()
    backend.synchronize()
    t_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = flow.solve(st)
    backend.synchronize()
    t_warm = time.perf_counter() - t0
    m = sol.conducting
    for kernel, secs, s in (("flow_solve_cold", t_cold, sol), ("flow_resolve_warm", t_warm, warm)):
        rows.append({"kernel": kernel, "size": voxels, "backend": backend.name, "seconds": secs,
                     "voxel_updates_per_s": m * max(s.iterations, 1) / secs, "cg_iterations": s.iterations,
                     "conducting_voxels": m, "voxels_per_s": voxels / secs,
                     # per CG iteration: operator (6 int32 + 7 float64 reads, 1 write) + ~10 vector passes
                     "bytes_per_call": m * max(s.iterations, 1) * (24 + 8 * 8 + 10 * 8),
                     "mean_speed_um_s": st.values["flow_mean_speed_um_s"],
                     "transit_time_s": st.values["flow_transit_time_s"]})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128], help="lattice edge in voxels (n^3)")
    parser.add_argument("--backend", default="auto", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    backend = select_backend(args.backend)
    bandwidth = copy_bandwidth(backend)
    rows = []
    for n in args.sizes:
        rows += [finish_row(r, bandwidth) for r in bench_size(backend, n, args.repeats)]
    print_rows(rows)
    path = write_results("lattice", backend, rows)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
