"""Memory budget of a run, estimated from its config before anything is
allocated, and the check that refuses a run that would not fit.

The estimate is a sum of named items, each ``count × bytes``:

- grid arrays, per voxel (``prod(domain.shape)``): the declared dtypes of
  ``labels`` (u1), ``occluded`` (u1), ``pressure`` (f4), ``velocity``
  (3 f4), the flow's multigrid basis (u1), per field the concentration (f4) and the agents' fixed-point source
  and uptake accumulators (2 i8), the field solver's scratch, the IM shedding
  rate (f4), the blood mask and clot counts (u1 + i4);
- per blood voxel (the capillary share of the lattice, from its geometry:
  Voronoi septa of area ``SEPTAL_AREA_FACTOR · a²`` per alveolus of seed
  spacing a, a capillary sheet of thickness c less the posts):
  the blood voxel list (i8) and the flow solve, whose peak is its largest
  transient (below);
- per agent row of each species: ``Species.bytes_per_agent`` (declared
  dtypes) plus AGENT_SCRATCH for the operations' per-agent work arrays, times
  the pool's initial capacity as the features compute it from the config;
- cell-list cells (2 i8 each), sized as :class:`alveosim.neighbours.CellList`
  (the aggregate labels' list; tumour cells: the shared list and the
  repulsion's own, whose per-row slot copies and neighbour lists are
  REPULSION_ROW bytes); the blood step's platelet cell list is 3 i8 per
  platelet row (sorted cell ids).

The peak is the kept items plus the flow solve's working memory: a
re-solve after an occlusion that removes more than the reuse limit rebuilds
the hierarchy (the old one freed first), the largest transient of a run; the
set-up solve, with fewer arrays allocated, stays below it. FLOW_* are
measured (tracemalloc, mouse lattice 64³ and 128³, within 3 %) bytes per
conducting voxel. Everything is in bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import import_module

import numpy as np

# bytes per conducting voxel (measured, see the module docstring)
FLOW_HIERARCHY = 215  # smoothed-aggregation levels (A, P, R in CSR) and row maps, kept on Flow
FLOW_PEAK_AMG = 300  # rebuild: numbering, neighbours, CG vectors, reduced matrix, set-up intermediates
# (measured ~235 B at 2×10⁴ conducting voxels, ~320 B at 64³ and 128³: 300 keeps the total within 20% over that range)
FLOW_PEAK_JACOBI = 210  # numbering, neighbours, CG vectors
# bytes per voxel of the field solver's scratch (besides the fields)
SOLVER_SCRATCH = {"implicit": 4 + 16, "implicit_cg": 4 + 8 * 8, "explicit": 4}
AGENT_SCRATCH = 32  # cell-list rows (2 i8), fates, binding targets, per agent row
# tumour repulsion per row: four position buffers (4 × 12), radius, state,
# uid, cell, overlap, move (4+1+8+8+4+4), neighbour list and count (32 × 4 + 4)
REPULSION_ROW = 48 + 29 + 132


@dataclass(frozen=True)
class Item:
    """``count`` things of ``each`` bytes; ``what`` names them."""

    name: str
    count: float
    each: float
    what: str = "voxels"

    @property
    def bytes(self) -> float:
        return self.count * self.each


@dataclass(frozen=True)
class Budget:
    """The estimate: ``items`` in order, ``total`` bytes."""

    voxels: int
    items: tuple[Item, ...]

    @property
    def total(self) -> float:
        return sum(item.bytes for item in self.items)

    def per_voxel(self) -> float:
        return sum(item.bytes for item in self.items if item.what == "voxels") / max(self.voxels, 1)

    def lines(self) -> list[str]:
        """One line per item, then the total."""
        out = [f"{item.name}: {item.count:,.0f} {item.what} x {item.each:,.0f} B = {gib(item.bytes)}" for item in self.items]
        out.append(f"total: {gib(self.total)} for {self.voxels:,} voxels ({self.per_voxel():.0f} B per voxel in grid arrays)")
        return out


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"


# Generated / geometric share of blood and SEPTUM voxels, measured on the mouse
# lattice at 200^3 (the voxelised sheet and septa come out thinner than the
# Voronoi-face estimate: capillary 0.192 vs 0.211, SEPTUM 0.183 vs 0.241).
BLOOD_CALIBRATION = 0.91
SEPTUM_CALIBRATION = 0.76


def lattice_fractions(lattice) -> tuple[float, float, float]:
    """(blood, SEPTUM, AIR) shares of the voxels of a lattice config section
    from its geometry, calibrated on the generated mouse lattice."""
    from alveosim.lattice.generate import SEPTAL_AREA_FACTOR, seed_spacing

    a = seed_spacing(lattice.alveolar_diameter, lattice.septal_thickness)
    sheet = SEPTAL_AREA_FACTOR * lattice.capillary_thickness / a
    posts = math.pi * lattice.post_radius**2 / lattice.post_spacing**2
    blood = BLOOD_CALIBRATION * sheet * (1.0 - posts)
    septum = SEPTUM_CALIBRATION * SEPTAL_AREA_FACTOR * (lattice.septal_thickness - lattice.capillary_thickness) / a
    air = max(0.0, 1.0 - blood / (1.0 - posts) - septum)
    return blood, septum, air


def cell_list_cells(size, cutoff: float, agents: int) -> int:
    """Cells of a CellList over a box of ``size`` µm (3) with ``cutoff`` µm
    for ``agents`` rows (the rule of :func:`alveosim.neighbours.cell_dims`)."""
    from alveosim.neighbours import cell_dims

    return int(np.prod(cell_dims(np.asarray(size, dtype=np.float64), cutoff, agents)))


def estimate(config) -> Budget:
    """The memory a run of ``config`` (a validated Config) needs at its peak."""
    from alveosim.model import feature_modules
    from alveosim.species import REGISTRY

    feature_modules(config.extensions)  # registers every species

    n = int(np.prod(config.domain.shape))
    h3 = config.domain.voxel**3
    volume = n * h3
    items = []
    blood_frac = septum_frac = air_frac = 0.0
    if config.lattice is not None:
        blood_frac, septum_frac, air_frac = lattice_fractions(config.lattice)
        items.append(Item("lattice: labels, occluded, pressure, velocity, multigrid basis", n, 1 + 1 + 4 + 12 + 1))
        amg = config.lattice.flow.preconditioner == "amg"
        m = blood_frac * n
        if amg:
            items.append(Item("flow: multigrid hierarchy", m, FLOW_HIERARCHY, "blood voxels"))
        items.append(Item("flow: solve working memory (peak)", m, FLOW_PEAK_AMG if amg else FLOW_PEAK_JACOBI, "blood voxels"))
    if config.fields is not None:
        nf = len(config.fields.named)
        # agents' source/uptake accumulators (2 i8) exist only with secreting agents
        secreting = config.tumour is not None or config.alveolar_macrophages is not None
        items.append(Item(f"fields: {nf} concentration(s)" + (" + source/uptake accumulators" if secreting else ""),
                          n, nf * (4 + (16 if secreting else 0))))
        items.append(Item(f"fields: {config.fields.solver} solver scratch", n, SOLVER_SCRATCH[config.fields.solver]))
    agents = _agent_rows(config, blood_frac * volume, septum_frac * volume, air_frac * volume)
    if config.macrophages is not None:
        items.append(Item("macrophages: sEV shedding rate", n, 4))
    if config.blood is not None:
        items.append(Item("blood: mask, clot counts", n, 1 + 4))
        items.append(Item("blood: voxel list", blood_frac * n, 8, "blood voxels"))
        p = config.blood.platelets
        cells = cell_list_cells(config.domain.size, max(p.contact_distance, p.aggregation_radius), agents.get("platelet", 0))
        items.append(Item("blood: aggregate-label cell list (host points)", cells, 16, "cells"))
        items.append(Item("blood: platelet cell list (sorted cell ids)", agents.get("platelet", 0), 24, "rows"))
    if config.tumour is not None:
        from alveosim.tumour.geometry import cell_list_cutoff, largest_radius, mechanics_skin

        t, rows = config.tumour, agents.get("tumour", 0)
        cutoffs = (cell_list_cutoff(t), 2.0 * largest_radius(t) + mechanics_skin(t))
        items.append(Item("tumour: cell lists (shared, repulsion)", sum(cell_list_cells(config.domain.size, c, rows) for c in cutoffs), 16, "cells"))
        items.append(Item("tumour: repulsion slot copies and neighbour lists", rows, REPULSION_ROW, "rows"))
    for name, rows in agents.items():
        items.append(Item(f"agents: {name}", rows, REGISTRY[name].bytes_per_agent() + AGENT_SCRATCH, "rows"))
    return Budget(n, tuple(items))


def extension_pool_rows(config) -> dict[str, int]:
    """Initial pool capacity per species of the config's extensions (each
    feature module's ``pool_rows(config)``, when it has one)."""
    rows = {}
    for name in config.extensions:
        pool_rows = getattr(import_module(name), "pool_rows", None)
        if pool_rows is not None:
            rows.update(pool_rows(config))
    return rows


def _agent_rows(config, blood_volume: float, septal_volume: float, air_volume: float) -> dict[str, int]:
    """Initial pool capacity per species, as the features size their pools."""
    rows = extension_pool_rows(config)
    if config.macrophages is not None:
        count = 0 if config.macrophages.depleted else round(config.macrophages.density * septal_volume)
        rows["im"] = max(1, count)
    if config.blood is not None:
        b = config.blood
        n_platelets = round(b.platelets.density * blood_volume)
        rows["platelet"] = b.platelets.capacity or max(1024, 2 * n_platelets)
        rows["ev"] = b.vesicles.capacity or max(1024, 2 * round(b.vesicles.plasma_concentration * blood_volume))
    if config.tumour is not None:
        rows["tumour"] = config.tumour.capacity or 1024
    if config.alveolar_macrophages is not None and config.lattice is not None:
        alveolus = math.pi / 6.0 * config.lattice.alveolar_diameter**3
        rows["trm"] = max(1, round(config.alveolar_macrophages.per_alveolus * air_volume / alveolus))
        rows["mdm"] = 64
    return rows


def available_memory(backend_name: str) -> tuple[int, str] | None:
    """(bytes, what) the run may use: the free device memory on a CUDA GPU,
    the available RAM (MemAvailable) on the CPU; None when unknown."""
    if backend_name == "cuda":
        try:
            import cupy

            free, _ = cupy.cuda.runtime.memGetInfo()
            return int(free), "free GPU memory"
        except Exception:
            return None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "available RAM"
    except OSError:
        pass
    import os

    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"), "free RAM"
    except (ValueError, OSError, AttributeError):
        return None


def backend_name(config) -> str:
    """The backend a run of ``config`` would take ('cpu' or 'cuda')."""
    if config.backend == "cpu":
        return "cpu"
    from alveosim.backend import cuda_simulator_enabled, cuda_status

    ok, _ = cuda_status()
    return "cuda" if ok and not cuda_simulator_enabled() else "cpu"


def refusal(config, budget: Budget | None = None) -> str | None:
    """One line saying why a run of ``config`` would not fit, or None."""
    budget = budget or estimate(config)
    name = backend_name(config)
    have = available_memory(name)
    if have is None or budget.total <= have[0]:
        return None
    return (f"not enough memory: the run needs about {gib(budget.total)} ({budget.voxels:,} voxels) "
            f"but the {name} has {gib(have[0])} {have[1]}; shrink domain.size or use a larger machine")
