"""Secretion of ``emt_factor`` and ``immune_suppression`` by tumour-associated
TRMs (states tumour_associated and rim) into their voxels, each tissue step."""

from __future__ import annotations

import numpy as np

from kernels.rules.alveolar import TUMOUR_ASSOCIATED
from sim.operations import TISSUE, Operation

SECRETED = (("emt_factor", "emt_factor_secretion"), ("immune_suppression", "immune_suppression_secretion"))


def secreted_fields(cfg) -> list[tuple[str, float]]:
    """(field name, a.u.·µm³/s per tumour-associated TRM) for each rate > 0."""
    return [(name, getattr(cfg, key)) for name, key in SECRETED if getattr(cfg, key) > 0]


class Secretion(Operation):
    """Tissue clock: every tumour-associated TRM adds its rate (a.u.·µm³/s)
    to ``emt_factor`` and ``immune_suppression`` through sim.fields.add_sources."""

    clocks = frozenset({TISSUE})

    def __init__(self, cfg, trigger=None):
        super().__init__(trigger)
        self.rates = secreted_fields(cfg)

    def attach(self, sim):
        super().attach(sim)
        self.fields = sim.fields

    def act(self, state, dt):
        pool = state.pool("trm")
        if pool.n == 0:
            return
        associated = pool.live("state") >= TUMOUR_ASSOCIATED
        for name, rate in self.rates:
            self.fields.add_sources(name, pool.arrays["pos"], associated.astype(np.float64) * rate, pool.n)
