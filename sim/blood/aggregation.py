"""Aggregation: activated platelets join a neighbouring activated or
aggregated platelet within r_agg with a per-step probability; aggregate ids
are the minimum uid over each connected set of aggregated platelets linked
within r_agg (sim/clusters.py, so the ids are deterministic)."""

from __future__ import annotations

import math

import numpy as np

from alveosim.blood.species import ACTIVATED, AGGREGATED
from alveosim.clusters import connected_components
from alveosim.operations import BLOOD, Operation
from alveosim.streams import Stream


class Aggregation(Operation):
    """Join, then relabel aggregates (only in steps where platelets joined:
    aggregated platelets are immobile, so labels change only then); such a
    step is recorded as ``context.aggregated_at`` for the occlusion. The
    number of joins is read with the step's other deferred counts
    (``context.settle``)."""

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

    def act(self, state, dt):
        pool = state.pool("platelet")
        xp = state.backend.xp
        n = pool.n
        p_join = -math.expm1(-self.rate * dt)
        if n == 0 or p_join <= 0.0:
            self.context.settle(state)
            return
        if self.joined.shape[0] < n:
            self.joined = xp.zeros(max(n, 2 * self.joined.shape[0]), dtype=np.uint8)
        joined = self.joined[:n]
        joined[:] = 0
        cells = self.context.platelet_cells.refresh(state)
        pst = pool.arrays["state"]
        self.k.join(n, pool.arrays["pos"], pool.arrays["uid"], pst, state.seed, int(Stream.PLATELET_AGGREGATION), state.step, p_join, self.radius, cells.grid, cells.dims, cells.cell_start, cells.order, joined)
        (joins,) = self.context.settle(state, [xp.count_nonzero((joined != 0) & (pst[:n] == ACTIVATED))])
        if joins == 0:
            return
        self.context.aggregated_at = state.step
        self.k.apply_join(n, pst, joined, pool.arrays["uid"], pool.arrays["aggregate"])
        relabel(pool, self.radius, cells)


def relabel(pool, radius: float, cells) -> None:
    """Set each aggregated platelet's ``aggregate`` to the least uid of its
    connected set (aggregated platelets linked within ``radius`` µm);
    ``cells`` is the platelet cell list of this step."""
    aggregated = pool.live("state") == AGGREGATED
    labels = connected_components(cells, pool.arrays["pos"], pool.arrays["uid"], pool.n, mask=aggregated, link_distance=radius)
    aggregate = pool.live("aggregate")
    aggregate[aggregated] = labels[aggregated]
