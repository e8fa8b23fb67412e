"""Tumour-cell tissue step: one tissue-clock step of the tumour operations
(secretion into two fields, EMT, death, growth and division, EMT motility and
repulsion mechanics with its substeps and overlap check) on cells packed in
four large foci in a synthetic all-AIR box (no lung lattice: building one
large enough for 10⁵ cells dominates the set-up), plus the mechanics alone.

    python -m alveosim.benchmarks.bench_tumour [--sizes 100000] [--backend cpu]
"""

from __future__ import annotations

import argparse
import math

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
# order (12+4+1+8+8+8), write the new position (12), cell-list build (44)
SWEEP_BYTES = 97
# lifecycle and secretion per cell: deposits and samples (2×(12+8)), EMT, death,
# crowding count and growth (≈ 12+4+4+4+4+1+1+4+1 reads/writes) and compaction (≈ 50)
LIFECYCLE_BYTES = 125


def _config(n: int):
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
                   "emt_speed": "0.5 um/min", "cxcl13_secretion": "20 molecule/s", "capacity": 2 * n, "seeding": {"count": 0}},
        "phases": [{"name": "tissue", "clock": "tissue", "duration": "1 d", "dt": f"{DT} s"}],
        "output": {"progress": False},
    }
    return load_config(data=data), reach, edge


def _packed_sim(n: int, backend):
    """A simulation whose tumour pool holds n cells on cubic lattices (spacing
    2·radius) around four focus centres; every fifth cell is EMT."""
    cfg, reach, edge = _config(n)
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


def run(sizes, backend_name="cpu", repeats=3):
    backend = select_backend(backend_name)
    bandwidth = copy_bandwidth(backend)
    rows = []
    for n in sizes:
        sim, ops = _packed_sim(n, backend)
        st = sim.state
        mech = next(op for op in ops if isinstance(op, TumourMechanics))
        substeps = sim.config.tumour.mechanics.substeps

        def tissue_step():
            st.step += 1
            for op in ops:
                op.act(st, DT)

        def mechanics():
            st.step += 1
            mech.act(st, DT)

        t = time_call(tissue_step, backend, repeats)
        m = st.pool("tumour").n
        rows.append(finish_row({"kernel": "tumour_tissue_step", "size": n, "backend": backend.name, "seconds": t,
                                "agent_updates_per_s": m / t, "bytes_per_call": m * (substeps * SWEEP_BYTES + LIFECYCLE_BYTES),
                                "substeps": substeps, "max_overlap": st.values.get("tumour_max_overlap", 0.0)}, bandwidth))
        t = time_call(mechanics, backend, repeats)
        m = st.pool("tumour").n
        rows.append(finish_row({"kernel": "tumour_mechanics", "size": n, "backend": backend.name, "seconds": t,
                                "agent_updates_per_s": m / t, "bytes_per_call": m * substeps * SWEEP_BYTES,
                                "substeps": substeps}, bandwidth))
    return backend, rows, bandwidth


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    p.add_argument("--backend", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    backend, rows, bandwidth = run(args.sizes, args.backend, args.repeats)
    print_rows(rows)
    path = write_results("tumour", backend, rows, {"copy_bandwidth_GBps": bandwidth / 1e9})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
