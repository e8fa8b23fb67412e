"""The capillary flow's multigrid against pyamg's stock smoothed aggregation,
back to back on the same matrix: hierarchy set-up, CG iterations to the
flow's tolerance and solve time, per size.

    python -m alveosim.benchmarks.bench_flow --sizes 128 200      (host only)

Each size n generates the mouse lattice of an n³ block of 2.5 µm voxels and
reduces the pressure equation to its free rows (``reduced_matrix``). The
baseline is ``pyamg.smoothed_aggregation_solver(A, symmetry="symmetric",
max_coarse=400)`` with its default V-cycle (BSR levels, block Gauss-Seidel),
the flow's hierarchy before :func:`alveosim.lattice.multigrid.smoothed_aggregation`
replaced it. Both solve A x = b (b: the flow's first right-hand side, the
fixed inlet pressure pushed into the free rows) by pyamg's CG with the
V-cycle as preconditioner to the flow's relative tolerance. Costs are wall
and process-CPU seconds (the latter steadier on a shared machine);
``speedup`` rows are baseline CPU seconds over ours.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from alveosim import labels as L
from alveosim.backend import select_backend
from alveosim.benchmarks.common import print_rows, write_results
from alveosim.lattice.config import LatticeConfig
from alveosim.lattice.connectivity import conducting_mask
from alveosim.lattice.flow import Flow
from alveosim.lattice.generate import generate
from alveosim.lattice.multigrid import MAX_COARSE, fixed_global_random, one_blas_thread, reduced_matrix, smoothed_aggregation

VOXEL = 2.5  # um


def stock(matrix):
    """pyamg's default smoothed aggregation (the baseline)."""
    import pyamg

    return pyamg.smoothed_aggregation_solver(matrix, symmetry="symmetric", max_coarse=MAX_COARSE)


def system(backend, n: int):
    """(A_ff scipy CSR, b float64 [f], the flow's tolerance) on an n³ mouse lattice."""
    cfg = LatticeConfig.model_validate({"species": "mouse"})
    lattice = generate(backend, (n, n, n), VOXEL, cfg, seed=1)
    labels = lattice.labels
    flow = Flow(backend, VOXEL, cfg.capillary_thickness**2 / 12.0, cfg.flow)
    cells = np.flatnonzero(conducting_mask(backend, labels, np.zeros(labels.shape, np.uint8)).reshape(-1))
    nbr, fixed = flow._numbering(labels, cells)
    matrix, free = reduced_matrix(nbr, fixed)
    # b: the fixed neighbours' pressures (inlet 1, outlet 0) through unit conductances
    rows = nbr[free]
    nb = np.maximum(rows, 0)
    at_inlet = labels.reshape(-1)[cells] == L.INLET
    b = ((rows >= 0) & (fixed[nb] != 0) & at_inlet[nb]).sum(axis=1).astype(np.float64)
    return matrix, b, flow.cfg.tolerance


def bench_size(backend, n: int) -> list[dict]:
    matrix, b, tolerance = system(backend, n)
    voxels = n**3
    rows = []
    for name, build in (("stock_pyamg", stock), ("flow_multigrid", smoothed_aggregation)):
        with one_blas_thread(), fixed_global_random():
            wall, cpu = time.perf_counter(), time.process_time()
            hierarchy = build(matrix)
            setup_wall, setup_cpu = time.perf_counter() - wall, time.process_time() - cpu
            residuals: list[float] = []
            wall, cpu = time.perf_counter(), time.process_time()
            hierarchy.solve(b, tol=tolerance, accel="cg", residuals=residuals)
            solve_wall, solve_cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows.append({"kernel": f"flow_setup_{name}", "size": voxels, "backend": backend.name, "seconds": setup_wall,
                     "cpu_seconds": setup_cpu, "free_rows": matrix.shape[0], "levels": len(hierarchy.levels),
                     "operator_complexity": hierarchy.operator_complexity()})
        rows.append({"kernel": f"flow_cg_{name}", "size": voxels, "backend": backend.name, "seconds": solve_wall,
                     "cpu_seconds": solve_cpu, "cg_iterations": len(residuals) - 1,
                     "cpu_seconds_per_iteration": solve_cpu / max(len(residuals) - 1, 1),
                     "relative_residual": residuals[-1] / residuals[0]})
    by = {r["kernel"]: r for r in rows}
    for part in ("setup", "cg"):
        base, ours = by[f"flow_{part}_stock_pyamg"], by[f"flow_{part}_flow_multigrid"]
        rows.append({"kernel": f"flow_{part}_speedup", "size": voxels, "backend": backend.name,
                     "seconds": ours["seconds"], "speedup_cpu": base["cpu_seconds"] / ours["cpu_seconds"]})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 200], help="block edge in voxels (n^3)")
    args = parser.parse_args(argv)
    backend = select_backend("cpu")  # the hierarchy and these solves run on the host
    rows = []
    for n in args.sizes:
        rows += bench_size(backend, n)
        print(f"{n}^3 done", flush=True)
    print_rows(rows)
    path = write_results("flow", backend, rows)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
