"""Where tumour cells may be: the voxel labels they are confined by, the
tumour cell lists (crowding and repulsion) and their sizes."""

from __future__ import annotations

import numpy as np

from alveosim.channels import LABELS
from alveosim.labels import AIR
from alveosim.neighbours import CellList


class Confinement:
    """The labels the tumour operations confine cells by, one for all of
    them: the lattice's (channel ``labels``, device uint8 [nx, ny, nz]) as
    the State holds them when an operation attaches, or one all-AIR grid of
    the domain's shape when the run has no lattice (a plain box): the tumour
    works with or without the lattice."""

    def __init__(self):
        self.box = None

    def labels(self, sim):
        sim.channels.optional(LABELS, "alveosim.tumour")
        labels = sim.state.arrays.get(LABELS)
        if labels is not None:
            return labels
        if self.box is None:
            self.box = sim.backend.xp.full(sim.config.domain.shape, AIR, dtype=np.uint8)
        return self.box


MAX_CYCLE_PER_STEP = 0.25  # largest dt / doubling_time of a tissue phase (cell-list cutoff and growth accuracy)


def largest_radius(cfg) -> float:
    """Largest radius a cell reaches (µm): ``radius`` at cycle 1, grown for at
    most one more tissue step (dt ≤ MAX_CYCLE_PER_STEP · doubling time) before
    it divides."""
    return cfg.radius * 2.0 ** (MAX_CYCLE_PER_STEP / 3.0)


def cell_list_cutoff(cfg) -> float:
    """Cell edge (µm) for the tumour cell list: at least the crowding distance
    and 2.5 · radius, so every touching pair (r ≤ ``largest_radius``) is in
    the 27 cells around a cell."""
    return max(cfg.crowding_um, 2.5 * cfg.radius)


def mechanics_skin(cfg) -> float:
    """Skin (µm) of the repulsion's cell list: ``mechanics.skin``, else the radius."""
    return cfg.mechanics.skin if cfg.mechanics.skin is not None else cfg.radius


def tumour_cell_list(sim, cfg, cutoff: float | None = None) -> CellList:
    """A cell list over the domain with the tumour cutoff (or ``cutoff`` µm)."""
    size = np.asarray(sim.config.domain.size, dtype=np.float64)
    return CellList(sim.backend, np.zeros(3), size, cutoff=cutoff or cell_list_cutoff(cfg))
