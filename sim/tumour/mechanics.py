"""Tumour-cell mechanics on the tissue clock: EMT motility, then overdamped
centre-based repulsion relaxed in Jacobi sweeps (read one position buffer,
write the other, swap) with confinement, until the overlap meets the
tolerance."""

from __future__ import annotations

import math

import numpy as np

from alveosim.kernels.rules.tumour import CONVERGED, EMT, FROZEN, RUNNING
from alveosim.operations import TISSUE, Column, Operation
from alveosim.streams import Stream
from alveosim.tumour.geometry import largest_radius, mechanics_skin, tumour_cell_list

CHECK_EVERY = 4  # sweeps between host reads of the sweep state on a GPU
NEIGHBOUR_SLOTS = 32  # neighbour-list columns per agent, the last a scratch one (more neighbours: the agent scans its 27 cells)


def _grown(xp, arr, shape, dtype):
    """``arr`` if it has ``shape``, else a new zeroed array of it."""
    return arr if arr is not None and tuple(arr.shape) == tuple(shape) else xp.zeros(shape, dtype=dtype)


class Relaxation:
    """The repulsion sweeps of one pool on one backend.

    The agents are copied into slots sorted by cell (``cells``, a
    :class:`CellList` of edge >= ``contact`` + ``skin`` µm, ``contact`` the
    largest centre distance of two touching cells), so a cell's neighbours
    are contiguous in memory. Each build also lists, per agent, the agents
    of the 27 cells around it within contact + skin (Verlet list), which the
    sweeps read. The list is rebuilt only when
    some agent may have moved more than half the skin since the last build:
    the host knows the largest move at each read of the sweep state and adds
    ``max_displacement`` per sweep in between. The sweeps' sums are in fixed
    point, so positions do not depend on when the list was rebuilt, on the
    skin or on how often the host reads.

    Convergence is kept on the device in ``status`` (float64 [3]: sweep state,
    largest overlap of the last positions measured, largest move since the
    last build in µm): a sweep whose input already meets the tolerance (after
    ``min_sweeps``) marks it CONVERGED and its output is dropped; later sweeps
    only copy. The host reads ``status`` every sweep on the CPU and every
    CHECK_EVERY sweeps on a GPU (no read in between); both give the same
    positions, the GPU launching at most CHECK_EVERY − 1 idle sweeps.
    """

    def __init__(self, backend, cells, labels, h: float, mech, contact: float, skin: float = 0.0):
        if contact + skin > cells.edge * (1 + 1e-12):
            raise ValueError(f"mechanics: contact distance {contact} um + skin {skin} um exceed the cell-list edge {cells.edge} um")
        self.backend = backend
        self.k = backend.kernels("tumour")
        self.cells = cells
        self.labels = labels
        self.h = float(h)
        self.mech = mech
        self.skin = float(skin)
        self.reach = float(contact + skin)
        self.check_every = 1 if backend.xp is np else CHECK_EVERY
        self.status = backend.xp.zeros(3, dtype=np.float64)
        self.capacity = -1
        self.sorted = False
        self.sweeps = 0  # sweeps launched by the last relax (host count)
        self.builds = 0  # cell-list builds by the last relax

    def _buffers(self, pool) -> None:
        """Slot-ordered copies of the pool's columns, sized to its capacity."""
        if pool.capacity == self.capacity:
            return
        xp, cap = self.backend.xp, pool.capacity
        self.pos, self.out, self.anchor, self.spare = (xp.zeros((cap, 3), dtype=np.float32) for _ in range(4))
        self.radius = xp.zeros(cap, dtype=np.float32)
        self.state = xp.zeros(cap, dtype=np.uint8)
        self.uid = xp.zeros(cap, dtype=np.int64)
        self.cell = xp.zeros(cap, dtype=np.int64)
        self.overlap = xp.zeros(cap, dtype=np.float32)
        self.moved = xp.zeros(cap, dtype=np.float32)
        self.nbr = xp.zeros((cap, NEIGHBOUR_SLOTS), dtype=np.int32)
        self.n_nbr = xp.zeros(cap, dtype=np.int32)
        self.capacity = cap

    def _sort(self, pool) -> None:
        """Build the cell list on the current positions and copy the agents
        into its slots (both position buffers, so a rebuild between sweeps
        keeps the one the sweep state may still return to)."""
        n, c, k, a = pool.n, self.cells, self.k, pool.arrays
        if self.sorted:
            k.put_rows(n, c.order, self.pos, a["pos"])
            k.put_rows(n, c.order, self.out, self.spare)
        c.build(a["pos"], n)
        k.gather(n, c.order, c.cell_of, a["radius"], a["state"], a["uid"], self.cell, self.radius, self.state, self.uid)
        k.take_rows(n, c.order, a["pos"], self.pos)
        k.take_rows(n, c.order, a["pos"], self.anchor)
        k.neighbour_list(n, self.pos, self.cell, c.dims, c.cell_start, self.reach, self.nbr, self.n_nbr)
        if self.sorted:
            k.take_rows(n, c.order, self.spare, self.out)
        self.sorted = True
        self.builds += 1

    def _advance(self, n: int, testable: bool) -> None:
        """Device-side sweep state after a sweep (no host read): a RUNNING
        sweep records its input's largest overlap and its largest move, and
        turns CONVERGED when ``testable`` and that overlap meets the
        tolerance; CONVERGED turns FROZEN."""
        xp, st = self.backend.xp, self.status
        running = st[0] == RUNNING
        worst = self.overlap[:n].max()
        st[1] = xp.where(running, worst, st[1])
        st[2] = xp.where(running, self.moved[:n].max(), st[2])
        after = xp.where(st[0] == CONVERGED, FROZEN, st[0])
        if testable:
            after = xp.where(running & (worst <= self.mech.tolerance), CONVERGED, after)
        st[0] = after

    def relax(self, pool, seed: int, step: int) -> float:
        """Sweep until the positions meet the tolerance (tested from sweep
        ``min_sweeps`` on) or ``max_sweeps`` sweeps ran. Returns the largest
        overlap of the final positions (one more overlap pass when the cap was
        reached), which it leaves in ``pool.arrays["pos"]``."""
        n = pool.n
        m = self.mech
        self.sweeps = 0
        self.builds = 0
        if n < 2:
            return 0.0
        be, c = self.backend, self.cells
        self._buffers(pool)
        self.sorted = False
        self._sort(pool)
        self.status[0] = RUNNING
        bound = 0.0  # µm: the most any agent can have moved since the last build
        state, worst, drift = RUNNING, 0.0, 0.0
        s = 0
        while s < m.max_sweeps:
            if bound > 0.5 * self.skin:
                self._sort(pool)
                bound = 0.0
            self.k.repel(
                n, self.pos, self.radius, self.state, self.uid, self.cell, c.dims, c.cell_start, self.anchor, self.status,
                self.nbr, self.n_nbr, self.labels, self.h, m.stiffness, m.max_displacement, seed, int(Stream.TUMOUR_CONTACT), (step << 12) | (s & 0xFFF),
                self.out, self.overlap, self.moved,
            )
            self._advance(n, s >= m.min_sweeps)
            self.pos, self.out = self.out, self.pos
            s += 1
            bound += m.max_displacement
            if s % self.check_every == 0 or s == m.max_sweeps:
                state, worst, drift = be.to_host(self.status).tolist()
                if state != RUNNING:
                    break
                bound = drift
        self.sweeps = s
        if state == CONVERGED:
            self.pos, self.out = self.out, self.pos  # the last sweep's input met the tolerance
        elif state == RUNNING:
            if drift > 0.5 * self.skin:
                self._sort(pool)
            self.k.max_overlap(n, self.pos, self.radius, self.cell, c.dims, c.cell_start, self.overlap)
            worst = float(be.scalar(self.overlap[:n].max()))
        self.k.put_rows(n, c.order, self.pos, pool.arrays["pos"])
        self.sorted = False
        return worst


class TumourMechanics(Operation):
    """Tissue clock: EMT cells take a confined random step (sigma = sqrt(2 D dt),
    D = v² τ / 3 from ``emt_speed`` and ``emt_persistence``), then repulsion
    sweeps push overlapping cells apart (``Relaxation.relax``, on a cell list
    of its own, edge = largest contact distance + ``mechanics_skin``).
    Keeps the largest overlap in ``state.values["tumour_max_overlap"]``."""

    clocks = frozenset({TISSUE})
    name = "tumour.mechanics"
    after = "tumour.growth"

    def __init__(self, cfg, confinement, trigger=None):
        super().__init__(trigger)
        self.cfg = cfg
        self.confinement = confinement  # geometry.Confinement, shared by the tumour operations

    def attach(self, sim):
        super().attach(sim)
        self.labels = self.confinement.labels(sim)
        contact = 2.0 * largest_radius(self.cfg)
        skin = mechanics_skin(self.cfg)
        own = tumour_cell_list(sim, self.cfg, cutoff=contact + skin)
        self.relaxation = Relaxation(sim.backend, own, self.labels, sim.config.domain.voxel, self.cfg.mechanics, contact, skin)
        self.k = sim.backend.kernels("tumour")

    def act(self, state, dt):
        pool = state.pool("tumour")
        sigma = math.sqrt(2.0 * self.cfg.emt_diffusivity * dt)
        if sigma > 0 and pool.n:
            self.k.motility(pool.n, pool.arrays["pos"], pool.arrays["state"], pool.arrays["uid"], self.labels, self.relaxation.h,
                            sigma, state.seed, int(Stream.TUMOUR_MOTILITY), state.step)
        state.values["tumour_max_overlap"] = self.relaxation.relax(pool, state.seed, state.step)

    def columns(self):
        return [
            Column("tumour_cells", "count", "live tumour cells"),
            Column("tumour_volume_um3", "um3", "total volume of the tumour cells"),
            Column("tumour_emt_fraction", "1", "share of the tumour cells in EMT"),
            Column("tumour_max_overlap", "1", "largest overlap of two tumour cells over the smaller radius, after the last relaxation"),
        ]

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
