"""Where tumour cells may be: the voxel labels they are confined by and the
tumour cell list shared with the macrophage and lesion features."""

from __future__ import annotations

import numpy as np

from alveosim.labels import AIR
from alveosim.neighbours import CellList


def confinement_labels(sim):
    """The lattice labels (device uint8 [nx, ny, nz]), or an all-AIR grid of
    the domain's shape when the run has no lattice (a plain box)."""
    labels = sim.state.arrays.get("labels")
    if labels is not None:
        return labels
    if getattr(sim, "tumour_box_labels", None) is None:
        sim.tumour_box_labels = sim.backend.xp.full(sim.config.domain.shape, AIR, dtype=np.uint8)
    return sim.tumour_box_labels


def cell_list_cutoff(cfg) -> float:
    """Cell edge (µm) for the tumour cell list: at least the crowding distance
    and 2.5 · radius, so every touching pair (r ≤ radius · 2^(dt/T)^(1/3)) is
    in the 27 cells around a cell."""
    return max(cfg.crowding_um, 2.5 * cfg.radius)


def tumour_cell_list(sim, cfg) -> CellList:
    """A cell list over the domain with the tumour cutoff."""
    size = np.asarray(sim.config.domain.size, dtype=np.float64)
    return CellList(sim.backend, np.zeros(3), size, cutoff=cell_list_cutoff(cfg))
