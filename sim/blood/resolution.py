"""Clot resolution on the tissue clock: aggregates left by blood windows
resolve (fibrinolysis, embolisation) with a half-life, and the voxels they
no longer fill are reopened to the flow.

Each aggregate resolves whole, in a tissue step of dt with probability
``1 − 2^(−dt/t½)``, drawn once per (tissue step, aggregate id): the draw is
keyed by the aggregate id (the least uid of its platelets), so every
platelet of an aggregate takes the same decision and the aggregate ids of
the survivors stay valid. The expected clot burden after time t without new
clots is ``2^(−t/t½)`` of its start.
"""

from __future__ import annotations

import math

import numpy as np

from alveosim.blood import ledger
from alveosim.blood.clots import ClotVoxels
from alveosim.blood.species import AGGREGATED
from alveosim.channels import OCCLUDED
from alveosim.operations import TISSUE, Column, Operation
from alveosim.streams import Stream

RESOLVED_KEY = "clot_resolved_platelets"  # state.values: aggregated platelets resolved so far


def resolution_probability(half_life_s: float, dt: float) -> float:
    """Probability that an aggregate resolves within dt s: 1 − 2^(−dt/t½)."""
    return -math.expm1(-math.log(2.0) / half_life_s * dt)


class ClotResolution(Operation):
    """Tissue clock: remove the aggregates that resolve this step (counted as
    ``platelet_outflow`` in the ledger and in ``clot_resolved_platelets``);
    then occlusion is recomputed from the aggregated platelets left (a blood
    voxel stays occluded while it holds :func:`occluding_count` of them) and
    the flow re-solved, warm, when voxels reopened. One transfer per step
    (the number resolved), one more when some resolved."""

    clocks = frozenset({TISSUE})
    name = "blood.clot_resolution"
    after = frozenset({"lattice", "fields", "tumour", "alveolar", "lesions", "macrophages", "systemic"})

    def __init__(self, context, half_life_s: float, threshold: float, platelet_volume_um3: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.half_life = half_life_s
        self.threshold = threshold
        self.platelet_volume = platelet_volume_um3

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        self.clots = ClotVoxels(sim, self.context.geometry, self.threshold, self.platelet_volume, "clot resolution")
        self.draws = sim.backend.kernels("draws")
        self.uniforms = sim.backend.xp.zeros((0, 4), dtype=np.float64)

    def act(self, state, dt):
        pool = state.pool("platelet")
        n = pool.n
        if n == 0:
            return
        xp = state.backend.xp
        if self.uniforms.shape[0] < n:
            self.uniforms = xp.zeros((max(n, 2 * self.uniforms.shape[0]), 4), dtype=np.float64)
        u = self.uniforms
        # keyed by the aggregate id, so an aggregate's platelets decide together
        self.draws.fill_uniform(n, state.seed, int(Stream.CLOT_RESOLUTION), state.step, pool.arrays["aggregate"], u)
        dead = (pool.live("state") == AGGREGATED) & (u[:n, 0] < resolution_probability(self.half_life, dt))
        removed = int(state.backend.scalar(xp.count_nonzero(dead)))
        if removed == 0:
            return
        pool.remove(dead, removed)
        ledger.add(state, "platelet_outflow", removed)
        state.values[RESOLVED_KEY] = state.values.get(RESOLVED_KEY, 0.0) + removed
        self.reopen(state)

    def reopen(self, state) -> None:
        """Occlusion from the aggregated platelets now present; re-solve the
        flow when it changed (resolution only reopens voxels)."""
        xp = state.backend.xp
        occluded = state.arrays[OCCLUDED]
        still = self.clots.occluding(state).reshape(occluded.shape)
        reopened = int(state.backend.scalar(xp.count_nonzero((occluded != 0) & ~still)))
        if reopened == 0:
            return
        occluded[...] = still.astype(np.uint8)
        self.clots.flow.solve(state)

    def columns(self):
        return [Column(RESOLVED_KEY, "count", "aggregated platelets removed by clot resolution since the run started")]

    def observe(self, state):
        return {RESOLVED_KEY: state.values.get(RESOLVED_KEY, 0.0)}
