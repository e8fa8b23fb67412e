"""The lung block at growing sizes: lattice generation with its geometry
report, cold and warm (after an occlusion) flow solves, one tissue step, one
blood step, the peak memory, and each cost's growth exponent with size.

    python -m alveosim.benchmarks.bench_scale --sizes 64 128 256 400 [--backend cpu|cuda]

Each size n runs configs/lung_block.yaml on an n³ block of 2.5 µm voxels:
one 1 h conditioning step, timed with the binding of every operation that
precedes it (``first_tissue_step``), then two 2 ms blood steps, the second
timed (``blood_step``, a steady step).
Costs are wall seconds and CPU seconds of this process (the latter is the
better measure on a shared machine). Peak memory is the process's maximum
resident set after the size (sizes run in ascending order), beside the
config's estimate (``alveosim.resources``); a size whose estimate exceeds the
memory available when it would start is skipped and listed as such.
Exponents are least-squares slopes of log(cost) over log(voxels).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

from alveosim.benchmarks.common import print_rows, write_results
from alveosim.backend import select_backend
from alveosim.config import load_config
from alveosim.lattice.generate import generate
from alveosim.lattice.report import geometry_report
from alveosim.resources import estimate, refusal
from alveosim.simulation import Simulation

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "lung_block.yaml"
VOXEL = 2.5  # um
TISSUE_DT = 3600.0  # s, the config's conditioning step
BLOOD_DT = 0.002  # s, the config's blood step


class Clock:
    """Wall and process-CPU seconds of a block: ``with clock: ...``."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def block_config(n: int, backend_name: str):
    edge = f"{n * VOXEL} um"
    return load_config(CONFIG, [f"domain.size=[{edge}, {edge}, {edge}]", f"backend={backend_name}",
                                "phases.0.duration=1 h", f"phases.1.duration={2 * BLOOD_DT} s"])


def bench_size(backend, n: int) -> list[dict]:
    """Rows for an n³ block."""
    cfg = block_config(n, backend.name)
    voxels = n**3
    rows = []

    def row(kernel, clock, **extra):
        rows.append({"kernel": kernel, "size": voxels, "backend": backend.name, "seconds": clock.wall,
                     "cpu_seconds": clock.cpu, "voxel_updates_per_s": voxels / clock.wall, **extra})

    with Clock() as c:
        lattice = generate(backend, cfg.domain.shape, VOXEL, cfg.lattice, cfg.seed)
        backend.synchronize()
    row("lattice_generate", c)
    with Clock() as c:
        report = geometry_report(backend, lattice, VOXEL)
    row("geometry_report", c, capillary_volume_fraction=report["capillary_volume_fraction"])
    del lattice
    with Clock() as c:
        sim = Simulation(cfg, backend=backend)
    cold = sim.flow.last
    row("setup_total", c, flow_seconds=cold.seconds)
    rows.append({"kernel": "flow_solve_cold", "size": voxels, "backend": backend.name, "seconds": cold.seconds,
                 "voxel_updates_per_s": voxels / cold.seconds, "cg_iterations": cold.iterations,
                 "multigrid_setup_seconds": cold.setup_seconds, "conducting_voxels": cold.conducting})
    with Clock() as c:
        sim.run(until=TISSUE_DT, progress=False)
    row("first_tissue_step", c)
    sim.run(until=TISSUE_DT + BLOOD_DT, progress=False)  # first blood step: binds the blood operations
    with Clock() as c:
        sim.run(until=TISSUE_DT + 2 * BLOOD_DT, progress=False)
    row("blood_step", c, platelets=sim.state.pools["platelet"].n, vesicles=sim.state.pools["ev"].n,
        interstitial_macrophages=sim.state.pools["im"].n)
    block = np.zeros(cfg.domain.shape, dtype=bool)
    mid = n // 2
    block[mid - 4:mid + 4, mid - 4:mid + 4, mid - 4:mid + 4] = True
    sim.flow.occlude(sim.state, backend.asarray(block))
    warm = sim.flow.solve(sim.state)
    rows.append({"kernel": "flow_solve_warm_occluded", "size": voxels, "backend": backend.name, "seconds": warm.seconds,
                 "voxel_updates_per_s": voxels / warm.seconds, "cg_iterations": warm.iterations,
                 "multigrid_setup_seconds": warm.setup_seconds, "conducting_voxels": warm.conducting})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for r in rows:
        r["peak_rss_bytes"] = peak
        r["estimated_peak_bytes"] = estimate(cfg).total
    return rows


def growth_exponents(rows: list[dict]) -> dict[str, float]:
    """kernel -> slope of log(seconds) over log(voxels), over the sizes run;
    ``<kernel>_cpu`` the same for CPU seconds where rows have them (steadier
    than wall time on a shared machine); ``peak_rss_bytes`` for memory."""
    out = {}
    for kernel in dict.fromkeys(r["kernel"] for r in rows):
        for key, suffix in (("seconds", ""), ("cpu_seconds", "_cpu")):
            pts = [(r["size"], r[key]) for r in rows if r["kernel"] == kernel and r.get(key, 0) > 0]
            if len({s for s, _ in pts}) >= 2:
                out[kernel + suffix] = _slope(pts)
    sizes = sorted({r["size"] for r in rows})
    if len(sizes) >= 2:
        out["peak_rss_bytes"] = _slope([(s, next(r["peak_rss_bytes"] for r in rows if r["size"] == s)) for s in sizes])
    return out


def _slope(points) -> float:
    """Least-squares slope of log(y) over log(x) for (x, y) points."""
    x, y = zip(*points)
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256, 400], help="block edge in voxels (n^3)")
    parser.add_argument("--backend", default="auto", choices=["cpu", "cuda", "auto"])
    args = parser.parse_args(argv)
    backend = select_backend(args.backend)
    bench_size(backend, 16)  # warm-up: loads the compiled kernels
    rows, skipped = [], {}
    for n in sorted(args.sizes):
        problem = refusal(block_config(n, backend.name))
        if problem:
            skipped[f"{n}^3"] = problem
            print(f"{n}^3 skipped: {problem}", flush=True)
            continue
        rows += bench_size(backend, n)
        print(f"{n}^3 done", flush=True)
    print_rows(rows)
    exponents = growth_exponents(rows)
    print("growth exponents (cost ~ voxels^k):", {k: round(v, 2) for k, v in exponents.items()})
    path = write_results("scale", backend, rows, extra={"growth_exponents": exponents, "skipped": skipped})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
