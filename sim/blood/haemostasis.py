"""Haemostasis at an injury (``blood.injury``): the bleeding-time analogue
that anti-β2 must spare and anti-GPIb must impair. Platelets tether to the
exposed subendothelium of a wounded capillary wall through GPIb–vWF, and to
the plug that grows there; tethered platelets are activated and aggregated
(immobile), and activated platelets passing by join them by the ordinary
aggregation rule. Nothing here reads a platelet's bound sEVs.

The plug is the set of aggregated platelets with ``activated_by`` =
injury. Its formation time (the first blood-clock time at which it holds
``plug_platelets``) is tracked on the device every step in
``state.arrays["haemostasis_plug_formed"]`` (float64 [1], s, −1 before),
so checkpoints keep it and a step reads nothing back."""

from __future__ import annotations

import math

import numpy as np

from alveosim import arrays
from alveosim.blood.species import AGGREGATED, BY_INJURY
from alveosim.channels import LABELS, PLASMA
from alveosim.labels import BLOOD
from alveosim.operations import BLOOD as BLOOD_CLOCK
from alveosim.operations import Column, Operation
from alveosim.streams import Stream
from alveosim.systemic.feature import blocking_fraction

FORMED = "haemostasis_plug_formed"

arrays.declare(FORMED, unit="s", internal=True)


def wall_faces(labels: np.ndarray, h: float):
    """Every face between a blood voxel and a wall (non-blood) voxel: the
    blood voxel's flat id (int64 [m]), the face's bit (uint8 [m]: 2·axis
    for the voxel's lower edge along that axis, 2·axis + 1 for its upper
    edge) and the face's centre (float64 [m, 3], µm). The box's own faces
    are not wall."""
    blood = np.isin(labels, BLOOD)
    ids, bits, centres = [], [], []
    for axis in range(3):
        for side, bit in ((-1, 2 * axis), (1, 2 * axis + 1)):
            wall = np.zeros(labels.shape, dtype=bool)
            src = [slice(None)] * 3
            dst = [slice(None)] * 3
            dst[axis], src[axis] = (slice(1, None), slice(None, -1)) if side < 0 else (slice(None, -1), slice(1, None))
            wall[tuple(dst)] = ~blood[tuple(src)]
            ijk = np.argwhere(blood & wall)
            centre = (ijk + 0.5) * h
            centre[:, axis] += side * 0.5 * h
            ids.append(np.ravel_multi_index(ijk.T, labels.shape))
            bits.append(np.full(len(ijk), bit, dtype=np.uint8))
            centres.append(centre)
    return np.concatenate(ids), np.concatenate(bits), np.concatenate(centres)


def injured_walls(labels: np.ndarray, h: float, center, radius: float) -> np.ndarray:
    """uint8 [nx, ny, nz]: per blood voxel, a bit per face (as
    :func:`wall_faces`) that is injured: the wall faces whose centre lies
    within ``radius`` µm of the wall face nearest ``center`` (µm), so the
    wound sits on a wall wherever the lattice puts one. All zero without wall."""
    walls = np.zeros(labels.size, dtype=np.uint8)
    ids, bits, centres = wall_faces(labels, h)
    if ids.size:
        d2 = ((centres - np.asarray(center, dtype=np.float64)) ** 2).sum(axis=1)
        site = centres[np.argmin(d2)]  # ties: the first face (axis, side, then voxel order)
        near = ((centres - site) ** 2).sum(axis=1) <= radius * radius
        np.bitwise_or.at(walls, ids[near], (np.uint8(1) << bits[near]).astype(np.uint8))
    return walls.reshape(labels.shape)


class Haemostasis(Operation):
    """Each blood step: GPIb–vWF tethering at the injured wall and capture
    into the plug (kernels/rules/haemostasis.py), with both hazards scaled
    by 1 − θ_GPIb; then the plug count and its formation time, on the device.
    Observes the plug: platelets, volume and formation time."""

    name = "blood.haemostasis"
    after = "blood.aggregation"
    before = frozenset({"blood.labels", "blood.occlusion"})
    clocks = frozenset({BLOOD_CLOCK})

    def __init__(self, context, injury, platelet_volume_um3: float, aggregation_radius_um: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.injury = injury
        self.platelet_volume = platelet_volume_um3
        self.radius = aggregation_radius_um

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        self.k = sim.backend.kernels("haemostasis")
        xp = sim.backend.xp
        inj = self.injury
        sim.channels.require(LABELS, __name__)
        host = injured_walls(sim.backend.to_host(sim.state.arrays[LABELS]), self.context.geometry.h, inj.center, inj.radius)
        if not host.any():
            raise ValueError("blood.injury: the box has no capillary wall to injure")
        self.walls = sim.backend.asarray(host)
        self.plasma = sim.channels.optional(PLASMA, __name__)
        if inj.anti_gpib is not None and (self.plasma is None or inj.anti_gpib.compartment not in self.plasma.compartments):
            raise ValueError(f"blood.injury.anti_gpib: needs a plasma compartment {inj.anti_gpib.compartment!r} (the 'plasma:' section)")
        if FORMED not in sim.state.arrays:
            sim.state.arrays[FORMED] = xp.full(1, -1.0, dtype=np.float64)
        self.capture = xp.zeros(0, dtype=np.uint8)
        self.plug = xp.zeros(0, dtype=np.uint8)

    def theta(self, state) -> float:
        """θ_GPIb: the fraction of GPIb blocked by the anti-GPIb antibody (0 without)."""
        a = self.injury.anti_gpib
        return 0.0 if a is None else blocking_fraction(self.plasma.value(state, a.compartment), a.kd)

    def act(self, state, dt):
        inj = self.injury
        xp = state.backend.xp
        pool = state.pool("platelet")
        free = 1.0 - self.theta(state)
        p_wall = -math.expm1(-inj.adhesion_rate * free * dt)
        p_plug = -math.expm1(-inj.recruitment_rate * free * dt)
        if self.capture.shape[0] != pool.capacity:
            self.capture = xp.zeros(pool.capacity, dtype=np.uint8)
            self.plug = xp.zeros(pool.capacity, dtype=np.uint8)
        self.plug[:] = 0
        cells = self.context.platelet_cells.current(state, "haemostasis")
        a = pool.arrays
        self.k.tether(
            pool.capacity, pool.counter, a["pos"], a["uid"], a["state"], a["activated_by"], self.walls, self.context.geometry.h, inj.contact_distance,
            p_wall, p_plug, self.radius, *cells.query, state.seed, int(Stream.PLATELET_TETHER), state.step, self.capture,
        )
        self.k.capture(pool.capacity, pool.counter, a["state"], a["activated_by"], a["aggregate"], a["uid"], self.capture, self.plug)
        formed = state.arrays[FORMED]
        formed[:] = xp.where((formed < 0) & (xp.count_nonzero(self.plug) >= inj.plug_platelets), state.time + dt, formed)

    def columns(self):
        return [
            Column("plug_platelets", "count", "platelets in the haemostatic plug at the injury"),
            Column("plug_um3", "um3", "volume of the haemostatic plug"),
            Column("plug_formation_s", "s", "first time the plug held blood.injury.plug_platelets platelets (blood clock); nan before"),
        ]

    def observe(self, state):
        pool = state.pool("platelet")
        xp = state.backend.xp
        n = float(state.backend.scalar(xp.count_nonzero((pool.live("state") == AGGREGATED) & (pool.live("activated_by") == BY_INJURY))))
        formed = float(state.backend.to_host(state.arrays[FORMED])[0]) if FORMED in state.arrays else -1.0
        return {"plug_platelets": n, "plug_um3": n * self.platelet_volume, "plug_formation_s": formed if formed >= 0 else math.nan}
