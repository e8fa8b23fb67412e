"""sEV–platelet binding (integrin β2 – GPIb): a free EV with β2 binds the
nearest platelet within contact distance with probability 1 − exp(−k_bind·dt)
per step, unless the antibody blocks its β2. Each EV is blocked with
probability θ = ``state.values[ANTIBODY_THETA]`` by a draw keyed by its uid
alone (stream EV_BLOCK), so the decision is fixed for the EV while θ holds
and a blocked EV never binds, however long it stays in contact."""

from __future__ import annotations

import math

import numpy as np

from alveosim.blood.species import BOUND
from alveosim.channels import ANTIBODY_THETA
from alveosim.blood.transport import remove
from alveosim.operations import BLOOD, Operation
from alveosim.streams import Stream


def binding_probability(binding_rate: float, dt: float) -> float:
    """Per-step binding probability of an unblocked EV in contact: 1 − e^(−k dt)."""
    return -math.expm1(-binding_rate * dt)


class Binding(Operation):
    """Each free EV still in the blood records its target platelet (row) or
    −1; platelets then count their EVs with an integer scatter (exact
    whatever the order). Then the EVs leave the pool on the device (no
    transfer) in one compaction: the bound ones (``ev_bound``) and those
    this step's transport moved out or cleared (``ev_outflow``,
    ``ev_cleared``; their fates from :class:`~alveosim.blood.transport.BloodTransport`)."""

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

    def act(self, state, dt):
        evs = state.pool("ev")
        platelets = state.pool("platelet")
        p_bind = binding_probability(self.binding_rate, dt)
        theta = min(max(float(state.values.get(ANTIBODY_THETA, 0.0)), 0.0), 1.0)
        fate = self.context.scratch(state.backend, "ev_fate", evs.capacity, np.int8)
        if p_bind > 0.0:
            target = self.context.scratch(state.backend, "ev_target", evs.capacity, np.int64)
            cells = self.context.platelet_cells.current(state, "binding")
            self.k.bind(
                evs.capacity, evs.counter, evs.arrays["pos"], evs.arrays["uid"], evs.arrays["state"], evs.arrays["beta2"], fate, state.seed, int(Stream.EV_BIND), state.step,
                p_bind, theta, int(Stream.EV_BLOCK), platelets.arrays["pos"], platelets.arrays["state"], self.contact, *cells.query, target,
            )
            self.k.count_bound(evs.capacity, evs.counter, target, platelets.arrays["n_bound"])
        remove(state, self.context, "ev", fate, BOUND, "ev_outflow", "ev_cleared", "ev_bound")
