"""TRM depletion (e.g. clodronate liposomes): at one time, each TRM is
removed with a probability, by a uniform keyed on its uid."""

from __future__ import annotations

import numpy as np

from alveosim.operations import TISSUE, Column, Operation
from alveosim.streams import Stream
from alveosim.triggers import At


def deplete(backend, pool, fraction: float, seed: int, step: int) -> int:
    """Remove each live agent of ``pool`` with probability ``fraction``;
    returns the number removed. Survivors keep their order."""
    dead = backend.xp.zeros(max(pool.n, 1), dtype=np.bool_)
    backend.kernels("alveolar").deplete(pool.n, pool.arrays["uid"], seed, int(Stream.TRM_DEPLETION), step, fraction, dead)
    return pool.remove(dead[: pool.n])


class Depletion(Operation):
    """Tissue clock, once at ``depletion.time`` (At trigger): remove TRMs;
    ``state.values["trm_depleted"]`` counts them."""

    clocks = frozenset({TISSUE})
    name = "alveolar.depletion"
    after = frozenset({"fields", "tumour"})

    def __init__(self, depletion):
        super().__init__(At(depletion.time))
        self.fraction = depletion.fraction

    def act(self, state, dt):
        removed = deplete(state.backend, state.pool("trm"), self.fraction, state.seed, state.step)
        state.values["trm_depleted"] = state.values.get("trm_depleted", 0.0) + removed

    def columns(self):
        return [Column("trm_depleted", "count", "TRMs removed by depletion since the run started")]

    def observe(self, state):
        return {"trm_depleted": state.values.get("trm_depleted", 0.0)}
