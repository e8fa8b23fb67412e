"""Platelet activation: resting → primed (≥ m bound sEVs) → activated after
τ_act, plus a spontaneous activation baseline; and the initial platelets."""

from __future__ import annotations

import math

import numpy as np

from alveosim.operations import BLOOD, Operation
from alveosim.streams import Stream


def seed_in_blood(pool, count: int, voxels: np.ndarray, h: float, shape, rng: np.random.Generator) -> None:
    """Add ``count`` agents uniformly over the host flat voxel ids ``voxels``
    (int64 [m]), uniformly inside each chosen voxel (µm)."""
    if count <= 0 or voxels.size == 0:
        return
    chosen = voxels[rng.integers(0, voxels.size, size=count)]
    ijk = np.stack(np.unravel_index(chosen, shape), axis=1).astype(np.float64)
    pos = (ijk + 0.001 + 0.998 * rng.random((count, 3))) * h
    pool.add({"pos": pos.astype(np.float32)})


class PlateletActivation(Operation):
    """The platelet state machine, once per blood step; each activated
    platelet records why in ``activated_by`` (1 sEV, 2 spontaneous)."""

    clocks = frozenset({BLOOD})
    name = "blood.activation"
    after = "blood.binding"

    def __init__(self, bonds_to_prime: int, activation_delay_s: float, spontaneous_rate: float, trigger=None):
        super().__init__(trigger)
        self.bonds_to_prime = bonds_to_prime
        self.delay = activation_delay_s
        self.spontaneous_rate = spontaneous_rate

    def attach(self, sim):
        super().attach(sim)
        self.k = sim.backend.kernels("blood")
        sim.state.pool("platelet").count_on_device()

    def act(self, state, dt):
        pool = state.pool("platelet")
        p_spont = -math.expm1(-self.spontaneous_rate * dt)
        self.k.activate(
            pool.capacity, pool.counter, pool.arrays["uid"], pool.arrays["state"], pool.arrays["n_bound"], pool.arrays["timer"], pool.arrays["activated_by"],
            self.bonds_to_prime, self.delay, p_spont, dt, state.seed, int(Stream.PLATELET_ACTIVATION), state.step,
        )
