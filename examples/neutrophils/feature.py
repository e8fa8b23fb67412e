"""Example extension: neutrophils that move with the blood and bind the
platelets they touch. A config loads it with
``extensions: [alveosim.examples.neutrophils.feature]`` and a
``neutrophils:`` section (config.py); its rule is rules.py. It changes no
other feature: it reads the lattice's channels and the platelet pool, and
places its step between blood transport and aggregation by declaration.

State it keeps: the ``neutrophil`` pool (``pos`` float32 [n, 3] µm,
``n_bound`` int32 platelet bonds formed) and ``state.arrays["neutrophil_outflow"]``
(int64 [1], neutrophils that left through an outlet)."""

from __future__ import annotations

import math
from functools import cache
from types import SimpleNamespace

import numpy as np

from alveosim import arrays
from alveosim.blood.geometry import BloodGeometry, PlateletCells
from alveosim.channels import LABELS, OCCLUDED, VELOCITY
from alveosim.kernels.rules.blood import OUTFLOW
from alveosim.labels import BLOOD
from alveosim.operations import BLOOD as BLOOD_CLOCK
from alveosim.operations import Column, Operation
from alveosim.species import Species, register
from alveosim.streams import Stream

NEUTROPHIL = register(
    Species(
        "neutrophil",
        fields={"pos": ("f4", (3,)), "state": ("u1", ()), "n_bound": ("i4", ())},
        units={"pos": "um", "n_bound": "platelet bonds formed"},
        states=("circulating",),
    )
)
OUTFLOWED = "neutrophil_outflow"
arrays.declare(OUTFLOWED, unit="agents", internal=True)


@cache
def launchers(backend_name: str) -> SimpleNamespace:
    """The generated launchers of rules.py on ``backend_name`` (cpu | cuda)."""
    from alveosim.examples.neutrophils import rules
    from alveosim.kernels.per_item import cpu_launchers, cuda_launchers

    return SimpleNamespace(**(cpu_launchers(rules) if backend_name == "cpu" else cuda_launchers(rules)))


class NeutrophilStep(Operation):
    """Each blood step, after the platelets have moved and before they
    aggregate: move the neutrophils, bind platelets within contact with
    probability 1 − exp(−k·dt), remove those that reached an outlet."""

    name = "neutrophils.step"
    after = "blood.transport"
    before = "blood.aggregation"
    clocks = frozenset({BLOOD_CLOCK})

    def __init__(self, cfg, trigger=None):
        super().__init__(trigger)
        self.cfg = cfg

    def attach(self, sim):
        super().attach(sim)
        self.geometry = BloodGeometry(sim)  # requires the lattice's labels, occlusion and velocity
        self.cells = PlateletCells(sim.backend, self.geometry, self.cfg.contact_distance)
        self.k = launchers(sim.backend.name)
        sim.state.pool("neutrophil").count_on_device()
        if OUTFLOWED not in sim.state.arrays:
            sim.state.arrays[OUTFLOWED] = sim.backend.xp.zeros(1, dtype=np.int64)
        self.fate = sim.backend.xp.zeros(0, dtype=np.int8)

    def act(self, state, dt):
        pool, platelets = state.pool("neutrophil"), state.pool("platelet")
        if self.fate.shape[0] != pool.capacity:
            self.fate = state.backend.xp.zeros(pool.capacity, dtype=np.int8)
        self.cells.build(state)  # its own cell width (the contact distance), so built here
        a = pool.arrays
        self.k.neutrophil_step(
            pool.capacity, pool.counter, a["pos"], a["uid"], a["state"], state.seed, int(Stream.NEUTROPHIL), state.step,
            math.sqrt(2.0 * self.cfg.diffusivity * dt), dt, self.geometry.h, state.arrays[LABELS], state.arrays[OCCLUDED],
            state.arrays[VELOCITY], self.fate, -math.expm1(-self.cfg.binding_rate * dt), self.cfg.contact_distance,
            platelets.arrays["pos"], platelets.arrays["state"], *self.cells.query, a["n_bound"],
        )
        state.arrays[OUTFLOWED] += pool.compact(self.fate == OUTFLOW)

    def columns(self):
        return [
            Column("neutrophil_platelet_bonds", "count", "platelet bonds formed by the neutrophils in the box"),
            Column("neutrophil_outflow", "count", "neutrophils that left through an outlet"),
        ]

    def observe(self, state):
        pool = state.pool("neutrophil")
        return {
            "neutrophil_platelet_bonds": float(state.backend.to_host(pool.live("n_bound")).sum()),
            "neutrophil_outflow": float(state.backend.to_host(state.arrays[OUTFLOWED])[0]),
        }


def initialize(sim) -> None:
    """Seed ``count`` neutrophils uniformly in the open blood voxels."""
    cfg = sim.config.neutrophils
    if cfg is None:
        return
    sim.channels.require(LABELS, __name__)
    labels = sim.backend.to_host(sim.state.arrays[LABELS])
    voxels = np.flatnonzero(np.isin(labels.ravel(), BLOOD))
    if voxels.size == 0:
        raise ValueError("neutrophils: the box has no blood voxel to seed them in")
    rng = np.random.default_rng([sim.config.seed, int(Stream.NEUTROPHIL)])
    picked = voxels[rng.integers(0, voxels.size, cfg.count)]
    corner = np.stack(np.unravel_index(picked, labels.shape), axis=1)
    pos = (corner + rng.random((cfg.count, 3))) * sim.config.domain.voxel
    sim.add_pool(NEUTROPHIL, pool_rows(sim.config)["neutrophil"]).add({"pos": pos.astype(np.float32)})


def operations(sim) -> list[Operation]:
    """The neutrophil step, when the config has ``neutrophils:`` (it needs ``blood:``)."""
    cfg = sim.config.neutrophils
    if cfg is None:
        return []
    if sim.config.blood is None:
        raise ValueError("neutrophils: need a 'blood:' section (they move and bind platelets in it)")
    return [NeutrophilStep(cfg)]


def pool_rows(config) -> dict[str, int]:
    """Initial pool capacity per species (for the memory estimate and run size)."""
    cfg = config.neutrophils
    return {} if cfg is None else {"neutrophil": max(64, cfg.count)}
