"""Aggregation: activated platelets join a neighbouring activated or
aggregated platelet within r_agg with a per-step probability; aggregate ids
are the minimum uid over each connected set of aggregated platelets (min-label
propagation to its unique fixed point, so the ids are deterministic)."""

from __future__ import annotations

import math

import numpy as np

from sim.blood.species import ACTIVATED, AGGREGATED
from sim.operations import BLOOD, Operation
from sim.streams import Stream


class Aggregation(Operation):
    """Join, then relabel aggregates (only in steps where platelets joined:
    aggregated platelets are immobile, so labels change only then)."""

    clocks = frozenset({BLOOD})

    def __init__(self, context, aggregation_rate: float, radius_um: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.rate = aggregation_rate
        self.radius = radius_um

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        xp = sim.backend.xp
        self.k = sim.backend.kernels("blood")
        self.joined = xp.zeros(0, dtype=np.uint8)
        self.changed = xp.zeros(1, dtype=np.int64)

    def act(self, state, dt):
        pool = state.pool("platelet")
        xp = state.backend.xp
        n = pool.n
        p_join = -math.expm1(-self.rate * dt)
        if n == 0 or p_join <= 0.0:
            return
        if self.joined.shape[0] < n:
            self.joined = xp.zeros(max(n, 2 * self.joined.shape[0]), dtype=np.uint8)
        joined = self.joined[:n]
        joined[:] = 0
        cells = self.context.platelet_cells.refresh(state)
        pst = pool.arrays["state"]
        self.k.join(n, pool.arrays["pos"], pool.arrays["uid"], pst, state.seed, int(Stream.PLATELET_AGGREGATION), state.step, p_join, self.radius, cells.grid, cells.dims, cells.cell_start, cells.order, joined)
        if int(state.backend.scalar(xp.count_nonzero((joined != 0) & (pst[:n] == ACTIVATED)))) == 0:
            return
        self.k.apply_join(n, pst, joined, pool.arrays["uid"], pool.arrays["aggregate"])
        relabel(self.k, state.backend, pool, self.radius, cells, self.changed)


def relabel(kernels, backend, pool, radius: float, cells, changed) -> int:
    """Propagate the least aggregate id over aggregated platelets within
    ``radius`` µm until nothing changes; returns the number of sweeps."""
    xp = backend.xp
    rows = xp.flatnonzero(pool.live("state") == AGGREGATED).astype(np.int64)
    m = int(rows.shape[0])
    sweeps = 0
    while True:
        changed[0] = 0
        kernels.min_label(m, rows, pool.arrays["pos"], pool.arrays["state"], pool.arrays["aggregate"], radius, cells.grid, cells.dims, cells.cell_start, cells.order, changed)
        sweeps += 1
        if int(backend.scalar(changed[0])) == 0:
            return sweeps
