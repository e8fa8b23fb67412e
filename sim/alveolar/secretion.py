"""Secretion of ``emt_factor`` and ``immune_suppression`` by tumour-associated
TRMs (states tumour_associated and rim), and of ``immune_suppression`` by
tumour-associated MDMs, into their voxels, each tissue step."""

from __future__ import annotations

import numpy as np

from alveosim.kernels.rules.alveolar import TUMOUR_ASSOCIATED
from alveosim.channels import FIELDS
from alveosim.operations import TISSUE, Operation

SECRETED = (("emt_factor", "emt_factor_secretion"), ("immune_suppression", "immune_suppression_secretion"))


def secreted_fields(cfg) -> list[tuple[str, str, float]]:
    """(pool, field name, a.u.·µm³/s per tumour-associated cell) for each rate > 0."""
    out = [("trm", name, getattr(cfg, key)) for name, key in SECRETED if getattr(cfg, key) > 0]
    if cfg.mdm is not None and cfg.mdm.immune_suppression_secretion > 0:
        out.append(("mdm", "immune_suppression", cfg.mdm.immune_suppression_secretion))
    return out


class Secretion(Operation):
    """Tissue clock: every tumour-associated TRM (and MDM, for the MDM rate)
    adds its rate (a.u.·µm³/s) to its field through the ``fields`` channel's add_sources."""

    clocks = frozenset({TISSUE})
    name = "alveolar.secretion"
    after = "alveolar.motility"

    def __init__(self, cfg, trigger=None):
        super().__init__(trigger)
        self.rates = secreted_fields(cfg)

    def attach(self, sim):
        super().attach(sim)
        self.fields = sim.channels.require(FIELDS, "alveosim.alveolar secretion")

    def act(self, state, dt):
        for pool_name, field, rate in self.rates:
            pool = state.pool(pool_name)
            if pool.n == 0:
                continue
            associated = pool.live("state") >= TUMOUR_ASSOCIATED
            self.fields.add_sources(field, pool.arrays["pos"], associated.astype(np.float64) * rate, pool.n)
