"""sEV–platelet binding (integrin β2 – GPIb): a free EV with β2 binds the
nearest platelet within contact distance with probability 1 − exp(−k_bind·dt)
per step, unless the antibody blocks its β2. Each EV is blocked with
probability θ = ``state.values[ANTIBODY_THETA]`` by a draw keyed by its uid
alone (stream EV_BLOCK), so the decision is fixed for the EV while θ holds
and a blocked EV never binds, however long it stays in contact."""

from __future__ import annotations

import math

import numpy as np

from alveosim.blood import ledger
from alveosim.blood.species import BOUND
from alveosim.channels import ANTIBODY_THETA
from alveosim.operations import BLOOD, Operation
from alveosim.streams import Stream


def binding_probability(binding_rate: float, dt: float) -> float:
    """Per-step binding probability of an unblocked EV in contact: 1 − e^(−k dt)."""
    return -math.expm1(-binding_rate * dt)


class Binding(Operation):
    """Each free EV records its target platelet (row) or −1; platelets then
    count their EVs with an integer scatter (exact whatever the order); bound
    EVs leave the pool, counted as ``ev_bound``, on the device (no transfer)."""

    clocks = frozenset({BLOOD})
    name = "blood.binding"
    after = "blood.transport"

    def __init__(self, context, binding_rate: float, contact_distance: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.binding_rate = binding_rate
        self.contact = contact_distance

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        sim.channels.optional(ANTIBODY_THETA, __name__)  # optional: no antibody, nothing blocked
        self.k = sim.backend.kernels("blood")
        self.target = sim.backend.xp.zeros(0, dtype=np.int64)

    def act(self, state, dt):
        evs = state.pool("ev")
        platelets = state.pool("platelet")
        p_bind = binding_probability(self.binding_rate, dt)
        theta = min(max(float(state.values.get(ANTIBODY_THETA, 0.0)), 0.0), 1.0)
        if p_bind <= 0.0:
            return
        xp = state.backend.xp
        if self.target.shape[0] != evs.capacity:
            self.target = xp.zeros(evs.capacity, dtype=np.int64)
        cells = self.context.platelet_cells.current(state, "binding")
        self.k.bind(
            evs.capacity, evs.counter, evs.arrays["pos"], evs.arrays["uid"], evs.arrays["state"], evs.arrays["beta2"], state.seed, int(Stream.EV_BIND), state.step,
            p_bind, theta, int(Stream.EV_BLOCK), platelets.arrays["pos"], platelets.arrays["state"], self.contact, *cells.query, self.target,
        )
        self.k.count_bound(evs.capacity, evs.counter, self.target, platelets.arrays["n_bound"])
        ledger.add(state, "ev_bound", evs.compact(evs.arrays["state"] == BOUND))
