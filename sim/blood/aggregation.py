"""Aggregation: activated platelets join a neighbouring activated or
aggregated platelet within r_agg with a per-step probability; aggregate ids
are the minimum uid over each connected set of aggregated platelets linked
within r_agg (sim/clusters.py, so the ids are deterministic)."""

from __future__ import annotations

import math

import numpy as np

from alveosim.blood.species import AGGREGATED
from alveosim.clusters import connected_components
from alveosim.neighbours import CellList
from alveosim.operations import BLOOD, Operation
from alveosim.streams import Stream


class Aggregation(Operation):
    """Join, every step, on the device: the join kernel marks pairs and the
    apply kernel turns the marked activated platelets aggregated (labelled
    by their own uid; nothing happens when none joined, so the host need not
    know). The labels of connected sets are settled by :class:`AggregateLabels`."""

    clocks = frozenset({BLOOD})
    name = "blood.aggregation"
    after = "blood.activation"

    def __init__(self, context, aggregation_rate: float, radius_um: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.rate = aggregation_rate
        self.radius = radius_um

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        self.k = sim.backend.kernels("blood")
        self.joined = sim.backend.xp.zeros(0, dtype=np.uint8)

    def act(self, state, dt):
        pool = state.pool("platelet")
        p_join = -math.expm1(-self.rate * dt)
        if p_join <= 0.0:
            return
        if self.joined.shape[0] != pool.capacity:
            self.joined = state.backend.xp.zeros(pool.capacity, dtype=np.uint8)
        joined = self.joined
        joined[:] = 0
        cells = self.context.platelet_cells.current(state, "aggregation")
        pst = pool.arrays["state"]
        self.k.join(pool.capacity, pool.counter, pool.arrays["pos"], pool.arrays["uid"], pst, state.seed, int(Stream.PLATELET_AGGREGATION), state.step, p_join, self.radius, *cells.query, joined)
        self.k.apply_join(pool.capacity, pool.counter, pst, joined, pool.arrays["uid"], pool.arrays["aggregate"])


class AggregateLabels(Operation):
    """At the blood clock's host points (``trigger``: the logging steps,
    :func:`alveosim.blood.settle.host_points`), set each aggregated platelet's
    ``aggregate`` to the least uid of its connected set. Aggregated platelets
    are immobile and stay aggregated, so the labels are a function of the
    aggregated set alone: settling them late gives the labels an every-step
    relabelling would have, and the dynamics never read them."""

    clocks = frozenset({BLOOD})
    name = "blood.labels"
    after = "blood.aggregation"

    def __init__(self, radius_um: float, trigger=None):
        super().__init__(trigger)
        self.radius = radius_um

    def attach(self, sim):
        super().attach(sim)
        self.box_hi = np.array(sim.config.domain.size, dtype=np.float64)

    def act(self, state, dt):
        relabel(state.pool("platelet"), self.radius, self.box_hi)


def relabel(pool, radius: float, box_hi) -> None:
    """Set each aggregated platelet's ``aggregate`` to the least uid of its
    connected set (aggregated platelets linked within ``radius`` µm) in the
    box ``[0, box_hi)`` µm. Reads the live count (host)."""
    n = pool.n
    cells = CellList(pool.backend, np.zeros(3), box_hi, radius, n)
    cells.build(pool.arrays["pos"], n)
    aggregated = pool.live("state") == AGGREGATED
    labels = connected_components(cells, pool.arrays["pos"], pool.arrays["uid"], n, mask=aggregated, link_distance=radius)
    aggregate = pool.live("aggregate")
    aggregate[aggregated] = labels[aggregated]
