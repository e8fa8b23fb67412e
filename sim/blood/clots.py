"""Clots: per-voxel volume fraction of aggregated platelets, occlusion of
voxels past the threshold (then the flow is re-solved), and the clot report
(aggregates as connected components: count, sizes, largest)."""

from __future__ import annotations

import math

import numpy as np

from alveosim.channels import FLOW, OCCLUDED, OCCLUSION_EVENTS
from alveosim.blood.species import ACTIVATED, AGGREGATED, PLATELET, PRIMED, RESTING
from alveosim.operations import BLOOD, Operation


def occluding_count(threshold: float, platelet_volume_um3: float, voxel_volume_um3: float) -> int:
    """Least number of aggregated platelets whose volume fraction in one
    voxel reaches ``threshold`` (integer counts keep occlusion exact)."""
    return max(1, math.ceil(threshold * voxel_volume_um3 / platelet_volume_um3 - 1e-9))


class ClotVoxels:
    """Aggregated platelets counted per voxel on the device (int32 [n_voxels]
    scratch), and the blood voxels they occlude: those holding at least
    :func:`occluding_count` of them. Needs the lattice's flow solver, which
    re-routes the blood around occluded voxels."""

    def __init__(self, sim, geometry, threshold: float, platelet_volume_um3: float, what: str):
        self.flow = sim.channels.require(FLOW, f"alveosim.blood {what}")
        self.geometry = geometry
        self.k = sim.backend.kernels("blood")
        self.counts = sim.backend.xp.zeros(int(np.prod(geometry.shape)), dtype=np.int32)
        self.min_count = occluding_count(threshold, platelet_volume_um3, geometry.voxel_volume)

    def occluding(self, state):
        """Device bool [n_voxels] (flat): blood voxels holding at least
        ``min_count`` aggregated platelets now."""
        pool = state.pool("platelet")
        geo = self.geometry
        self.counts[:] = 0
        self.k.count_in_voxels(pool.n, pool.arrays["pos"], pool.arrays["state"], AGGREGATED, geo.h, geo.dims, self.counts)
        return (self.counts >= self.min_count) & geo.blood_mask


def clot_report(state, platelet_volume_um3: float) -> dict[str, float]:
    """Platelets by state and aggregates (connected sets sharing an aggregate id)."""
    pool = state.pool("platelet")
    xp = state.backend.xp
    st = pool.live("state")
    out = {}
    for code, name in zip((RESTING, PRIMED, ACTIVATED, AGGREGATED), PLATELET.states):
        out[f"platelets_{name}"] = float(state.backend.scalar(xp.count_nonzero(st == code)))
    ids = pool.live("aggregate")[st == AGGREGATED]
    if ids.shape[0] == 0:
        out.update(aggregates=0.0, clot_largest_platelets=0.0, clot_largest_um3=0.0, clot_volume_um3=0.0)
        return out
    _, sizes = xp.unique(ids, return_counts=True)
    largest = float(state.backend.scalar(sizes.max()))
    out["aggregates"] = float(sizes.shape[0])
    out["clot_largest_platelets"] = largest
    out["clot_largest_um3"] = largest * platelet_volume_um3
    out["clot_volume_um3"] = float(ids.shape[0]) * platelet_volume_um3
    return out


class Occlusion(Operation):
    """Count aggregated platelets per voxel; blood voxels holding at least
    :func:`occluding_count` of them are occluded through the ``flow`` channel's
    ``occlude`` and the flow is re-solved (its ``solve``), only when the occluded set
    grows. Acts at the blood clock's host points (``trigger``: the logging
    steps, :func:`alveosim.blood.settle.host_points`), the only steps that
    read the device, so a clot occludes at the first logging step after it
    reaches the threshold. Observes the clot report (the lattice's flow
    observer logs the occluded capillary fraction and the mean flow speed)."""

    clocks = frozenset({BLOOD})
    name = "blood.occlusion"
    after = "blood.labels"

    def __init__(self, context, threshold: float, platelet_volume_um3: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.threshold = threshold
        self.platelet_volume = platelet_volume_um3

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        self.clots = ClotVoxels(sim, self.context.geometry, self.threshold, self.platelet_volume, "occlusion")

    def act(self, state, dt):
        xp = state.backend.xp
        geo = self.context.geometry
        occluded = state.arrays[OCCLUDED]
        new = self.clots.occluding(state) & (occluded.ravel() == 0)
        n_new = int(state.backend.scalar(xp.count_nonzero(new)))
        if n_new == 0:
            return
        self.clots.flow.occlude(state, new.reshape(geo.shape))
        self.clots.flow.solve(state)
        state.values[OCCLUSION_EVENTS] = state.values.get(OCCLUSION_EVENTS, 0.0) + 1.0

    def observe(self, state):
        return clot_report(state, self.platelet_volume)
