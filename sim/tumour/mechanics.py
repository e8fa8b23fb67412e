"""Tumour-cell mechanics on the tissue clock: EMT motility, then overdamped
centre-based repulsion relaxed in Jacobi sweeps (read ``pos``, write a
scratch array, swap) with confinement, then the cell list rebuilt for the
other features (``sim.tumour_cells``)."""

from __future__ import annotations

import math

import numpy as np

from alveosim.kernels.rules.tumour import EMT
from alveosim.operations import TISSUE, Operation
from alveosim.streams import Stream
from alveosim.tumour.geometry import confinement_labels

EXTRA_ROUNDS = 4  # more rounds of ``substeps`` sweeps while the overlap exceeds the tolerance


def _grown(xp, arr, shape, dtype):
    """``arr`` if it has ``shape``, else a new zeroed array of it."""
    return arr if arr is not None and tuple(arr.shape) == tuple(shape) else xp.zeros(shape, dtype=dtype)


class Relaxation:
    """The repulsion sweeps of one pool on one backend, with their scratch."""

    def __init__(self, backend, cells, labels, h: float, mech):
        self.backend = backend
        self.k = backend.kernels("tumour")
        self.cells = cells
        self.labels = labels
        self.h = float(h)
        self.mech = mech
        self.scratch = None
        self.overlap = None

    def sweeps(self, pool, count: int, seed: int, step: int, first: int = 0) -> None:
        """``count`` Jacobi sweeps: rebuild the cell list, compute every new
        position from the old ones, swap the arrays."""
        n = pool.n
        m = self.mech
        for s in range(count):
            self.scratch = _grown(self.backend.xp, self.scratch, pool.arrays["pos"].shape, np.float32)
            pos = pool.arrays["pos"]
            c = self.cells
            c.build(pos, n)
            self.k.repel(
                n, pos, pool.arrays["radius"], pool.arrays["state"], pool.arrays["uid"], c.cell_of, c.dims, c.cell_start, c.order,
                self.labels, self.h, m.stiffness, m.max_displacement, seed, int(Stream.TUMOUR_CONTACT), (step << 12) | ((first + s) & 0xFFF),
                self.scratch,
            )
            pool.arrays["pos"], self.scratch = self.scratch, pos

    def max_overlap(self, pool) -> float:
        """Largest pair overlap / smaller radius (one scalar to the host);
        builds the cell list on the current positions."""
        n = pool.n
        if n < 2:
            self.cells.build(pool.arrays["pos"], n)
            return 0.0
        self.overlap = _grown(self.backend.xp, self.overlap, (pool.capacity,), np.float32)
        c = self.cells
        c.build(pool.arrays["pos"], n)
        self.k.max_overlap(n, pool.arrays["pos"], pool.arrays["radius"], c.cell_of, c.dims, c.cell_start, c.order, self.overlap)
        return float(self.backend.scalar(self.overlap[:n].max()))

    def relax(self, pool, seed: int, step: int) -> float:
        """``substeps`` sweeps, then up to EXTRA_ROUNDS more rounds while the
        largest overlap exceeds the tolerance. Returns that overlap; the cell
        list is left built on the final positions."""
        m = self.mech
        done = 0
        worst = math.inf
        for _ in range(1 + EXTRA_ROUNDS):
            self.sweeps(pool, m.substeps, seed, step, first=done)
            done += m.substeps
            worst = self.max_overlap(pool)
            if worst <= m.tolerance:
                break
        return worst


class TumourMechanics(Operation):
    """Tissue clock: EMT cells take a confined random step (sigma = sqrt(2 D dt),
    D = v² τ / 3 from ``emt_speed`` and ``emt_persistence``), then repulsion
    sweeps push overlapping cells apart (``Relaxation.relax``). Rebuilds
    ``sim.tumour_cells`` on the final positions and keeps the largest
    overlap in ``state.values["tumour_max_overlap"]``."""

    clocks = frozenset({TISSUE})

    def __init__(self, cfg, cells, trigger=None):
        super().__init__(trigger)
        self.cfg = cfg
        self.cells = cells

    def attach(self, sim):
        super().attach(sim)
        self.labels = confinement_labels(sim)
        self.relaxation = Relaxation(sim.backend, self.cells, self.labels, sim.config.domain.voxel, self.cfg.mechanics)
        self.k = sim.backend.kernels("tumour")

    def act(self, state, dt):
        pool = state.pool("tumour")
        sigma = math.sqrt(2.0 * self.cfg.emt_diffusivity * dt)
        if sigma > 0 and pool.n:
            self.k.motility(pool.n, pool.arrays["pos"], pool.arrays["state"], pool.arrays["uid"], self.labels, self.relaxation.h,
                            sigma, state.seed, int(Stream.TUMOUR_MOTILITY), state.step)
        state.values["tumour_max_overlap"] = self.relaxation.relax(pool, state.seed, state.step)

    def observe(self, state):
        pool = state.pool("tumour")
        be = state.backend
        n = pool.n
        volume = float(be.scalar(pool.live("volume").sum(dtype=np.float64))) if n else 0.0
        emt = int(be.scalar((pool.live("state") == EMT).sum())) if n else 0
        return {
            "tumour_cells": float(n),
            "tumour_volume_um3": volume,
            "tumour_emt_fraction": emt / n if n else 0.0,
            "tumour_max_overlap": state.values.get("tumour_max_overlap", 0.0),
        }
