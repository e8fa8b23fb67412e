"""Tumour-cell life cycle on the tissue clock: secretion into fields, the
``epithelial → emt`` switch, death lowered by immune suppression, and growth
through the cell cycle with division.

Fields (the ``fields`` channel, declared by the scenario): ``tumour_signal`` (a.u.)
receives ``tumour_signal_secretion`` a.u.·µm³/s per cell when it is declared;
the fields the configured life cycle reads or must write
(:func:`required_fields`: ``cxcl13`` when ``cxcl13_secretion`` > 0,
``emt_factor`` when ``emt_rate`` > 0, ``immune_suppression`` when
``death_rate`` and ``max_suppression`` are > 0) must be declared: a config
without one is refused when it is loaded, naming the setting and the field.
"""

from __future__ import annotations

import numpy as np

from alveosim.channels import FIELDS
from alveosim.operations import TISSUE, Column, Operation
from alveosim.streams import Stream
from alveosim.tumour.geometry import tumour_cell_list
from alveosim.tumour.seeding import lognormal_sigma


def required_fields(cfg) -> list[tuple[str, str, str]]:
    """(field, setting, why) for each field the life cycle configured by the
    ``tumour:`` section ``cfg`` reads or must write."""
    need = []
    if cfg.cxcl13_secretion > 0:
        need.append(("cxcl13", "cxcl13_secretion", "tumour cells secrete CXCL13 into it"))
    if cfg.emt_rate > 0:
        need.append(("emt_factor", "emt_rate", "the EMT hazard reads it"))
    if cfg.death_rate > 0 and cfg.max_suppression > 0:
        need.append(("immune_suppression", "max_suppression", "death lowered by suppression reads it"))
    return need


def _fields(sim):
    """(declared field names, the ``fields`` channel or None): the tumour
    works without fields unless its configured rules read or write one."""
    fields = sim.channels.optional(FIELDS, "alveosim.tumour")
    return set(fields.names) if fields is not None else set(), fields


def _require(sim, name: str, consumer: str) -> None:
    """Raise ValueError naming ``consumer`` when field ``name`` is not declared
    (the config loader refuses such a config first; this guards the rule)."""
    names, _ = _fields(sim)
    if name not in names:
        raise ValueError(f"tumour: {consumer} reads the '{name}' field, which fields.named does not declare; declared: {sorted(names)}")


class _Sampled:
    """A float32 scratch array of a field's value at each cell; ``needed``
    False (the rule ignores the field): zeros, nothing sampled."""

    def __init__(self, sim, name: str, consumer: str, needed: bool):
        if needed:
            _require(sim, name, consumer)
        _, self.fields = _fields(sim)
        self.name = name if needed else None
        self.xp = sim.backend.xp
        self.values = self.xp.zeros(0, dtype=np.float32)

    def at(self, pool):
        if self.values.shape[0] < pool.capacity:
            self.values = self.xp.zeros(pool.capacity, dtype=np.float32)
        if self.name is not None:
            self.fields.sample(self.name, pool.arrays["pos"], pool.n, self.values)
        return self.values


class TumourSecretion(Operation):
    """Every live cell secretes ``tumour_signal`` (when declared) and, when
    ``cxcl13_secretion`` > 0, CXCL13 into its voxel during the coming field step."""

    clocks = frozenset({TISSUE})
    name = "tumour.secretion"
    after = "tumour.seeding"

    def __init__(self, cfg, trigger=None):
        super().__init__(trigger)
        self.cfg = cfg

    def attach(self, sim):
        super().attach(sim)
        names, self.fields = _fields(sim)
        if self.cfg.cxcl13_secretion > 0:
            _require(sim, "cxcl13", "TumourSecretion (cxcl13_secretion > 0)")
        self.sources = [(name, rate) for name, rate in (("tumour_signal", self.cfg.tumour_signal_secretion), ("cxcl13", self.cfg.cxcl13_secretion))
                        if rate > 0 and name in names]

    def act(self, state, dt):
        pool = state.pool("tumour")
        for name, rate in self.sources:
            self.fields.add_sources(name, pool.arrays["pos"], rate, pool.n)


class TumourEmt(Operation):
    """Epithelial cells switch to EMT with hazard
    k_emt · (E/(E + K_E) + w_contact · trm_contact), E the local ``emt_factor``."""

    clocks = frozenset({TISSUE})
    name = "tumour.emt"
    after = "tumour.secretion"

    def __init__(self, cfg, trigger=None):
        super().__init__(trigger)
        self.cfg = cfg

    def attach(self, sim):
        super().attach(sim)
        self.k = sim.backend.kernels("tumour")
        self.emt_factor = _Sampled(sim, "emt_factor", "TumourEmt (emt_rate > 0)", self.cfg.emt_rate > 0)

    def act(self, state, dt):
        pool = state.pool("tumour")
        c = self.cfg
        if pool.n == 0 or c.emt_rate == 0:
            return
        e = self.emt_factor.at(pool)
        self.k.emt(pool.n, pool.arrays["uid"], pool.arrays["state"], e, pool.arrays["trm_contact"], state.seed, int(Stream.TUMOUR_EMT),
                   state.step, c.emt_rate * dt, c.emt_half_saturation, c.emt_contact_weight)


class TumourDeath(Operation):
    """Cells die with probability 1 − exp(−k_death · (1 − s_max · S/(S + K_S)) · dt),
    S the local ``immune_suppression``; the dead are removed (survivors keep
    their order). Counts deaths in ``state.values["tumour_deaths"]``."""

    clocks = frozenset({TISSUE})
    name = "tumour.death"
    after = "tumour.emt"

    def __init__(self, cfg, trigger=None):
        super().__init__(trigger)
        self.cfg = cfg

    def attach(self, sim):
        super().attach(sim)
        self.k = sim.backend.kernels("tumour")
        c = self.cfg
        self.suppression = _Sampled(sim, "immune_suppression", "TumourDeath (max_suppression > 0)", c.death_rate > 0 and c.max_suppression > 0)
        self.dead = sim.backend.xp.zeros(0, dtype=np.uint8)

    def act(self, state, dt):
        pool = state.pool("tumour")
        c = self.cfg
        if pool.n == 0 or c.death_rate == 0:
            return
        if self.dead.shape[0] < pool.capacity:
            self.dead = state.backend.xp.zeros(pool.capacity, dtype=np.uint8)
        s = self.suppression.at(pool)
        self.k.death(pool.n, pool.arrays["uid"], s, state.seed, int(Stream.TUMOUR_DEATH), state.step, c.death_rate * dt,
                     c.max_suppression, c.suppression_half_saturation, self.dead)
        removed = pool.remove(self.dead[: pool.n] != 0)
        state.values["tumour_deaths"] = state.values.get("tumour_deaths", 0.0) + removed

    def columns(self):
        return [Column("tumour_deaths", "count", "tumour cell deaths since the run started")]

    def observe(self, state):
        return {"tumour_deaths": state.values.get("tumour_deaths", 0.0)}


class TumourGrowth(Operation):
    """Cells with at most ``crowding_limit`` neighbours within the crowding
    distance advance their cycle and volume; cells that complete the cycle
    divide (``AgentPool.spawn``: unique uids, parent order) into two halves
    of the volume with new keyed cycle times, the newborn 0.5 · r from the
    parent. Counts births in ``state.values["tumour_births"]``."""

    clocks = frozenset({TISSUE})
    name = "tumour.growth"
    after = "tumour.death"
    NEWBORN_OFFSET = 0.5  # newborn distance from the parent, in daughter radii

    def __init__(self, cfg, confinement, trigger=None):
        super().__init__(trigger)
        self.cfg = cfg
        self.confinement = confinement  # geometry.Confinement, shared by the tumour operations
        self.sigma_ln = lognormal_sigma(cfg.doubling_time_cv)

    def attach(self, sim):
        super().attach(sim)
        self.k = sim.backend.kernels("tumour")
        self.labels = self.confinement.labels(sim)
        self.cells = tumour_cell_list(sim, self.cfg)  # its own: built and read in act, after the step's deaths
        self.h = float(sim.config.domain.voxel)
        xp = sim.backend.xp
        self.n_neigh = xp.zeros(0, dtype=np.int32)
        self.divide = xp.zeros(0, dtype=np.uint8)
        self.sorted_pos = xp.zeros((0, 3), dtype=np.float32)

    def act(self, state, dt):
        pool = state.pool("tumour")
        n = pool.n
        if n == 0:
            return
        c = self.cfg
        xp = state.backend.xp
        if self.n_neigh.shape[0] < pool.capacity:
            self.n_neigh = xp.zeros(pool.capacity, dtype=np.int32)
            self.divide = xp.zeros(pool.capacity, dtype=np.uint8)
            self.sorted_pos = xp.zeros((pool.capacity, 3), dtype=np.float32)
        pos = pool.arrays["pos"]
        cl = self.cells
        cl.build(pos, n)
        self.k.take_rows(n, cl.order, pos, self.sorted_pos)  # neighbours in contiguous memory
        self.k.crowding(n, self.sorted_pos, cl.order, cl.cell_of, cl.dims, cl.cell_start, c.crowding_um, self.n_neigh)
        self.k.grow(n, pool.arrays["volume"], pool.arrays["radius"], pool.arrays["cycle"], pool.arrays["cycle_time"], self.n_neigh,
                    c.crowding_limit, dt, self.divide)
        first, total, parent = pool.spawn(self.divide[:n])
        self.k.divide(
            total, first, parent, pool.arrays["pos"], pool.arrays["radius"], pool.arrays["volume"], pool.arrays["cycle"],
            pool.arrays["cycle_time"], pool.arrays["state"], pool.arrays["uid"], self.labels, self.h, state.seed,
            int(Stream.TUMOUR_CYCLE), int(Stream.TUMOUR_BIRTH), state.step, c.doubling_time, self.sigma_ln, self.NEWBORN_OFFSET,
        )
        state.values["tumour_births"] = state.values.get("tumour_births", 0.0) + total

    def columns(self):
        return [Column("tumour_births", "count", "tumour cell divisions since the run started")]

    def observe(self, state):
        return {"tumour_births": state.values.get("tumour_births", 0.0)}

