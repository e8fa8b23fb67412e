"""The foundation's demonstration model: walkers that random-walk, count
their neighbours through the cell list, divide when uncrowded and die.

It exercises every foundation part (pools with births and deaths, cell lists,
counter-based RNG, triggers, both backends); configs/walkers.yaml runs it as
an extension (``extensions: [alveosim.examples.walker.feature]``).
"""

from __future__ import annotations

import math

import numpy as np

from alveosim.neighbours import CellList
from alveosim.operations import TISSUE, Column, Operation
from alveosim.species import Species, register
from alveosim.streams import Stream

WALKER = register(
    Species(
        "walker",
        fields={"pos": ("f4", (3,)), "n_neigh": ("i4", ())},
        units={"pos": "um", "n_neigh": "agents"},
    )
)


def box_array(sim) -> np.ndarray:
    """(x0, y0, z0, x1, y1, z1) of the domain in µm, float64 [6]."""
    return np.array([0.0, 0.0, 0.0, *sim.config.domain.size], dtype=np.float64)


def seed_walkers(sim, count: int, capacity: int | None) -> None:
    """Place ``count`` walkers uniformly in the domain (deterministic in the seed)."""
    pool = sim.add_pool(WALKER, capacity or max(1024, 2 * count))
    rng = np.random.default_rng([sim.config.seed, int(Stream.SEEDING)])
    size = np.asarray(sim.config.domain.size, dtype=np.float64)
    pool.add({"pos": (rng.random((count, 3)) * size).astype(np.float32)})


class WalkerMotion(Operation):
    """Brownian motion: each walker moves by sqrt(2 D dt) · N(0, I3) µm."""

    clocks = frozenset({TISSUE})
    name = "walker.motion"
    after = frozenset({"lattice", "fields"})

    def __init__(self, diffusivity_um2_s: float, trigger=None):
        super().__init__(trigger)
        self.diffusivity = diffusivity_um2_s

    def attach(self, sim):
        super().attach(sim)
        self.k = sim.backend.kernels("walker")
        self.box = sim.backend.asarray(box_array(sim))

    def act(self, state, dt):
        pool = state.pool("walker")
        sigma = math.sqrt(2.0 * self.diffusivity * dt)
        self.k.random_walk(pool.n, pool.arrays["pos"], pool.arrays["uid"], state.seed, int(Stream.WALK), state.step, sigma, self.box)


class WalkerNeighbours(Operation):
    """Rebuild the cell list and count each walker's neighbours within
    ``2 · radius`` µm into its ``n_neigh`` field."""

    clocks = frozenset({TISSUE})
    name = "walker.neighbours"
    after = "walker.motion"

    def __init__(self, radius_um: float, trigger=None):
        super().__init__(trigger)
        self.radius = radius_um

    def attach(self, sim):
        super().attach(sim)
        box = box_array(sim)
        self.cells = CellList(sim.backend, box[:3], box[3:], cutoff=2.0 * self.radius)

    def act(self, state, dt):
        pool = state.pool("walker")
        self.cells.build(pool.arrays["pos"], pool.n)
        self.cells.count_within(pool.arrays["pos"], 2.0 * self.radius, pool.arrays["n_neigh"])

    def columns(self):
        return [Column("walker_mean_neighbours", "count", "mean neighbours of a walker within its radius")]

    def observe(self, state):
        pool = state.pool("walker")
        if pool.n == 0:
            return {"walker_mean_neighbours": 0.0}
        return {"walker_mean_neighbours": float(state.backend.scalar(pool.live("n_neigh").mean()))}


class WalkerLifecycle(Operation):
    """Death at ``death_rate`` and division at ``division_rate`` (1/s) when a
    walker has fewer than ``crowding_limit`` neighbours; newborns appear one
    radius from the parent."""

    clocks = frozenset({TISSUE})
    name = "walker.lifecycle"
    after = "walker.neighbours"

    def __init__(self, division_rate: float, death_rate: float, crowding_limit: int, radius_um: float, trigger=None):
        super().__init__(trigger)
        self.division_rate = division_rate
        self.death_rate = death_rate
        self.crowding_limit = crowding_limit
        self.radius = radius_um

    def attach(self, sim):
        super().attach(sim)
        self.k = sim.backend.kernels("walker")
        self.box = sim.backend.asarray(box_array(sim))
        self.fate = sim.backend.xp.zeros(0, dtype=np.int8)

    def act(self, state, dt):
        pool = state.pool("walker")
        xp = state.backend.xp
        n_old = pool.n
        if self.fate.shape[0] < n_old:
            self.fate = xp.zeros(max(n_old, 2 * self.fate.shape[0]), dtype=np.int8)
        p_div = -math.expm1(-self.division_rate * dt)
        p_die = -math.expm1(-self.death_rate * dt)
        self.k.walker_fate(
            n_old, pool.arrays["uid"], pool.arrays["n_neigh"], state.seed, int(Stream.WALKER_FATE), state.step,
            p_div, p_die, self.crowding_limit, self.fate,
        )
        fate = self.fate[:n_old]
        first, total, parent = pool.spawn(fate > 0)
        self.k.place_children(
            total, first, parent, pool.arrays["pos"], pool.arrays["uid"], state.seed, int(Stream.WALKER_BIRTH), state.step,
            self.radius, self.box,
        )
        dead = xp.zeros(pool.n, dtype=bool)
        dead[:n_old] = fate < 0
        deaths = pool.remove(dead)
        state.values["walker_births"] = state.values.get("walker_births", 0.0) + total
        state.values["walker_deaths"] = state.values.get("walker_deaths", 0.0) + deaths

    def columns(self):
        return [Column("walker_births", "count", "walker divisions since the run started"),
                Column("walker_deaths", "count", "walker deaths since the run started")]

    def observe(self, state):
        return {"walker_births": state.values.get("walker_births", 0.0), "walker_deaths": state.values.get("walker_deaths", 0.0)}


def initialize(sim) -> None:
    """Seed the walkers of a new run (skipped when resuming from a checkpoint)."""
    w = sim.config.species.walker
    if w is not None:
        seed_walkers(sim, w.count, w.capacity)


def operations(sim) -> list[Operation]:
    """The walker operations, in step order, when the config has walkers."""
    w = sim.config.species.walker
    if w is None:
        return []
    return [
        WalkerMotion(w.diffusivity),
        WalkerNeighbours(w.radius),
        WalkerLifecycle(w.division_rate, w.death_rate, w.crowding_limit, w.radius),
    ]


def pool_rows(config) -> dict[str, int]:
    """Initial pool capacity per species, as :func:`initialize` sizes the pool
    (for the memory estimate and the snapshot file count)."""
    w = config.species.walker
    return {} if w is None else {"walker": w.capacity or max(1024, 2 * w.count)}
