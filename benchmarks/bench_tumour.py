"""Tumour-cell tissue step: one tissue-clock step of the tumour operations
(secretion into two fields, EMT, death, growth and division, EMT motility and
repulsion mechanics) on cells packed in four large foci in a synthetic
all-AIR box (no lung lattice: building one large enough for 10⁵ cells
dominates the set-up).

Each size runs twice from the same start, in the same process: the
configured mechanics (sweeps until the overlap tolerance, cell list rebuilt
after half the skin) and the baseline — the same code with ``skin: 0 um``
(the list rebuilt every sweep) and at least 12 sweeps (``min_sweeps``), the
fixed count the relaxation ran before it stopped on convergence (then on,
as its extra rounds did, until the tolerance). On the CPU each runs with
one Numba thread and with all of them. Rows: ``tumour_tissue_step`` (and
``_baseline``, each with ``_1thread``), then the ratios.

    python -m alveosim.benchmarks.bench_tumour [--sizes 10000 100000] [--backend cpu]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import numba
import numpy as np

from alveosim.benchmarks.common import copy_bandwidth, finish_row, print_rows, time_call, write_results
from alveosim.backend import select_backend
from alveosim.config import load_config
from alveosim.simulation import Simulation
from alveosim.tumour.mechanics import TumourMechanics
from alveosim.tumour.seeding import lattice_offsets, seeded_cells

RADIUS = 5.0  # µm
VOXEL = 5.0  # µm
FOCI = 4
DT = 600.0  # s, the tissue step
# bytes per cell per repulsion sweep: read pos, radius, state, uid, cell id,
# anchor, status, neighbour count and list (12+4+1+8+8+12+4+4·8), write the
# new position, overlap and move (12+4+4)
SWEEP_BYTES = 113
# per cell-list build: assign and sort (44), slot copies (≈ 80), list scan (≈ 12·27·2)
BUILD_BYTES = 770
BASELINE = {"skin": "0 um", "min_sweeps": 12, "max_sweeps": 60}  # the list rebuilt every sweep, at least 12 sweeps
# lifecycle and secretion per cell: deposits and samples (2×(12+8)), EMT, death,
# crowding count and growth (≈ 12+4+4+4+4+1+1+4+1 reads/writes) and compaction (≈ 50)
LIFECYCLE_BYTES = 125


def _config(n: int, mechanics: dict | None = None):
    per_focus = math.ceil(n / FOCI)
    reach = 2.0 * RADIUS * (per_focus * 3 / (4 * math.pi)) ** (1 / 3) * 1.15
    edge = math.ceil((4 * reach + 4 * RADIUS) / VOXEL) * VOXEL
    field = {"unit": "a.u.", "diffusivity": "10 um^2/s", "label_diffusivity": {"air": "10 um^2/s"}, "half_life": "1 h"}
    data = {
        "seed": 1,
        "domain": {"size": [f"{edge} um", f"{edge} um", f"{2 * reach + 4 * RADIUS} um"], "voxel": f"{VOXEL} um"},
        "fields": {"named": {"tumour_signal": field, "emt_factor": field, "immune_suppression": field,
                             "cxcl13": dict(field, unit="pM")}},
        "tumour": {"radius": f"{RADIUS} um", "doubling_time": "2.5 d", "death_rate": "0.1 1/d", "emt_rate": "0.2 1/d",
                   "emt_speed": "0.5 um/min", "cxcl13_secretion": "20 molecule/s", "capacity": 2 * n, "seeding": {"count": 0},
                   "mechanics": mechanics or {}},
        "phases": [{"name": "tissue", "clock": "tissue", "duration": "1 d", "dt": f"{DT} s"}],
        "output": {"progress": False},
    }
    return load_config(data=data), reach, edge


def _packed_sim(n: int, backend, mechanics: dict | None = None):
    """A simulation whose tumour pool holds n cells on cubic lattices (spacing
    2·radius) around four focus centres; every fifth cell is EMT."""
    cfg, reach, edge = _config(n, mechanics)
    sim = Simulation(cfg, backend=backend)
    offsets = lattice_offsets(2.0 * RADIUS, reach)
    per_focus = math.ceil(n / FOCI)
    z = reach + 2 * RADIUS
    centres = [(edge / 4, edge / 4, z), (3 * edge / 4, edge / 4, z), (edge / 4, 3 * edge / 4, z), (3 * edge / 4, 3 * edge / 4, z)]
    pos = np.concatenate([np.asarray(c) + offsets[:per_focus] for c in centres])[:n]
    cells = seeded_cells(pos, 4 / 3 * math.pi * RADIUS**3, cfg.tumour.doubling_time, cfg.tumour.doubling_time_cv, cfg.seed)
    cells["state"][::5] = 1
    sim.state.pool("tumour").add(cells)
    ops = [op for op in sim.operations if type(op).__module__.startswith("alveosim.tumour") and type(op).__name__ != "TumourSeeding"]
    for op in sim.operations:
        op.attach(sim)
    return sim, ops


def _step_row(n, backend, mechanics, threads, repeats, bandwidth, kernel):
    """Time tissue steps of a fresh packed simulation with ``threads`` Numba
    threads (CPU); one row."""
    sim, ops = _packed_sim(n, backend, mechanics)
    st = sim.state
    relax = next(op for op in ops if isinstance(op, TumourMechanics)).relaxation
    sweeps, builds, cpu = [], [], []

    def tissue_step():
        st.step += 1
        t0 = time.process_time()
        for op in ops:
            op.act(st, DT)
        cpu.append(time.process_time() - t0)
        sweeps.append(relax.sweeps)
        builds.append(relax.builds)

    if backend.name == "cpu":
        numba.set_num_threads(threads)
    try:
        t = time_call(tissue_step, backend, repeats)
    finally:
        if backend.name == "cpu":
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    m = st.pool("tumour").n
    mean_sweeps, mean_builds = float(np.mean(sweeps)), float(np.mean(builds))
    # process CPU seconds per step (all threads): the work, less sensitive than
    # wall time to other processes on a shared machine
    return finish_row({"kernel": kernel, "size": n, "backend": backend.name, "threads": threads, "seconds": t,
                       "cpu_seconds": statistics.median(cpu[-repeats:]),
                       "agent_updates_per_s": m / t, "bytes_per_call": int(m * (mean_sweeps * SWEEP_BYTES + mean_builds * BUILD_BYTES + LIFECYCLE_BYTES)),
                       "sweeps_per_step": mean_sweeps, "builds_per_step": mean_builds,
                       "max_overlap": st.values.get("tumour_max_overlap", 0.0)}, bandwidth)


def run(sizes, backend_name="cpu", repeats=3):
    backend = select_backend(backend_name)
    bandwidth = copy_bandwidth(backend)
    most = numba.config.NUMBA_NUM_THREADS if backend.name == "cpu" else 1
    thread_counts = sorted({1, most})
    rows, ratios = [], []
    for n in sizes:
        timed = {}
        for name, mechanics in (("tumour_tissue_step", None), ("tumour_tissue_step_baseline", BASELINE)):
            for threads in thread_counts:
                kernel = name if threads == most else f"{name}_1thread"
                row = _step_row(n, backend, mechanics, threads, repeats, bandwidth, kernel)
                rows.append(row)
                timed[name, threads] = row["seconds"]
        for threads in thread_counts:
            ratios.append({"size": n, "threads": threads, "speedup_vs_baseline": timed["tumour_tissue_step_baseline", threads] / timed["tumour_tissue_step", threads]})
        if most > 1:
            for name in ("tumour_tissue_step", "tumour_tissue_step_baseline"):
                ratios.append({"size": n, "kernel": name, f"speedup_{most}_threads_vs_1": timed[name, 1] / timed[name, most]})
    return backend, rows, ratios, bandwidth


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--backend", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    backend, rows, ratios, bandwidth = run(args.sizes, args.backend, args.repeats)
    print_rows(rows)
    for r in ratios:
        print(r)
    path = write_results("tumour", backend, rows, {"ratios": ratios, "copy_bandwidth_GBps": bandwidth / 1e9,
                                                   "load_average_at_end": os.getloadavg()})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
