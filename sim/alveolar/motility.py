"""TRM and MDM motion on the tissue clock: chemotaxis up ``tumour_signal``,
random motility, and the crowding push that moves tumour-associated TRMs
out of dense tumour cores (they become ``rim``); moves into voxels a species
may not occupy are rejected one axis at a time."""

from __future__ import annotations

import math

import numpy as np

from alveosim.channels import FIELDS, LABELS
from alveosim.kernels.rules.alveolar import RIM
from alveosim.labels import AIR, NAMES, POST, SEPTUM
from alveosim.operations import TISSUE, Operation
from alveosim.streams import Stream

TRM_LABELS = (AIR,)  # TRMs live in the alveolar airspace, on its surface
TRM_CROSSING_LABELS = (AIR, SEPTUM, POST)  # ... and pass between alveoli through the septa (pores of Kohn) when cross_septa
MDM_LABELS = (AIR, SEPTUM, POST)  # MDMs leave the capillaries through the septum


def label_table(labels: tuple[int, ...]) -> np.ndarray:
    """uint8 [n_labels]: 1 for the given labels."""
    table = np.zeros(len(NAMES), dtype=np.uint8)
    table[list(labels)] = 1
    return table


def move_pool(backend, pool, field, labels, allowed, h: float, seed: int, step: int, dt: float, chem_speed: float,
              k_grad: float, sigma: float, crowd_limit: int, push_speed: float, rim_state: int, box) -> None:
    """Move the live agents of ``pool`` one step (see kernels/rules/alveolar.py
    ``move_one``): ``field`` float32 [nx, ny, nz] (the chemoattractant),
    ``labels`` uint8 [nx, ny, nz], ``allowed`` uint8 [n_labels], ``box``
    float64 [6] µm; speeds in µm/s, sigma = sqrt(2 D dt) µm."""
    a = pool.arrays
    backend.kernels("alveolar").move(
        pool.n, a["pos"], a["uid"], a["state"], a["crowding"], a["away"], field, labels, allowed, h, seed,
        int(Stream.AM_MOTION), step, dt, chem_speed, k_grad, sigma, substeps_for(h, dt, max(chem_speed, push_speed), sigma),
        crowd_limit, push_speed, rim_state, box,
    )


def substeps_for(h: float, dt: float, speed: float, sigma: float) -> int:
    """Sub-steps so that neither the drift (speed · dt, µm) nor the random
    displacement (sigma, µm) of one sub-step exceeds a voxel edge h (µm):
    a macrophage never jumps over a wall or past its target. At most 4096."""
    return int(min(max(1, math.ceil(speed * dt / h), math.ceil((sigma / h) ** 2)), 4096))


class Motility(Operation):
    """Tissue clock: move TRMs (pushed outward when crowded) and MDMs (never pushed)."""

    clocks = frozenset({TISSUE})
    name = "alveolar.motility"
    after = "alveolar.contacts"

    def __init__(self, cfg, trigger=None):
        super().__init__(trigger)
        self.cfg = cfg

    def attach(self, sim):
        super().attach(sim)
        be = sim.backend
        self.h = float(sim.config.domain.voxel)
        self.box = be.asarray(np.array([0.0, 0.0, 0.0, *sim.config.domain.size], dtype=np.float64))
        self.allowed_trm = be.asarray(label_table(TRM_CROSSING_LABELS if self.cfg.cross_septa else TRM_LABELS))
        self.allowed_mdm = be.asarray(label_table(MDM_LABELS))
        sim.channels.require(LABELS, "alveosim.alveolar motility")
        self.fields = sim.channels.require(FIELDS, "alveosim.alveolar chemotaxis") if self.cfg.chemotactic_speed > 0 else None
        self.flat = be.xp.zeros((1, 1, 1), dtype=np.float32)

    def act(self, state, dt):
        cfg = self.cfg
        field = self.fields.field(state, "tumour_signal") if self.fields is not None else self.flat
        labels = state.arrays[LABELS]
        sigma = math.sqrt(2.0 * cfg.diffusivity * dt)
        be = state.backend
        move_pool(be, state.pool("trm"), field, labels, self.allowed_trm, self.h, state.seed, state.step, dt, cfg.chemotactic_speed,
                  cfg.gradient_half_saturation, sigma, cfg.crowding.threshold, cfg.crowding.speed, RIM, self.box)
        move_pool(be, state.pool("mdm"), field, labels, self.allowed_mdm, self.h, state.seed, state.step, dt, cfg.chemotactic_speed,
                  cfg.gradient_half_saturation, sigma, cfg.crowding.threshold, 0.0, 0, self.box)
