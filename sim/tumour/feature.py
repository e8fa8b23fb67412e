"""Feature: tumour cells — the ``tumour:`` config section.

``initialize`` creates the empty ``tumour`` pool; ``operations`` returns, in
step order on the tissue clock: seeding (once, in the step holding
``seeding.time``, so a macrophage depletion can come first), secretion, EMT,
death, growth and division, mechanics, all confined by one labels array
(``geometry.Confinement``). Each cell list over the tumour cells
belongs to the one operation that builds and reads it in its step (growth's
crowding list; the repulsion's own): deaths reorder the rows between
steps, so no list outlives its step.

State it keeps: the ``tumour`` pool and ``state.values`` ``tumour_births``,
``tumour_deaths`` (cumulative) and ``tumour_max_overlap``.
"""

from __future__ import annotations

from alveosim.operations import TISSUE, Operation
from alveosim.triggers import At
from alveosim.tumour.geometry import MAX_CYCLE_PER_STEP, Confinement
from alveosim.tumour.lifecycle import TumourDeath, TumourEmt, TumourGrowth, TumourSecretion
from alveosim.tumour.mechanics import TumourMechanics
from alveosim.tumour.seeding import arrival_positions, focus_positions, seeded_cells
from alveosim.tumour.species import TUMOUR


class TumourSeeding(Operation):
    """Adds the seeded cells (``alveosim.tumour.seeding``) to the pool once, at
    ``seeding.time``."""

    clocks = frozenset({TISSUE})
    name = "tumour.seeding"
    after = frozenset({"lattice", "fields"})

    def __init__(self, cfg, confinement):
        super().__init__(At(cfg.seeding.time))
        self.cfg = cfg
        self.confinement = confinement

    def attach(self, sim):
        super().attach(sim)
        self.labels = self.confinement.labels(sim)
        self.h = float(sim.config.domain.voxel)

    def act(self, state, dt):
        c, s = self.cfg, self.cfg.seeding
        labels = state.backend.to_host(self.labels)
        if s.mode == "foci":
            pos = focus_positions(labels, self.h, s.count, s.cells_per_focus, s.focus_radius, c.radius, state.seed)
        else:
            pos = arrival_positions(labels, self.h, s.count, state.seed)
        pool = state.pool("tumour")
        if len(pos):
            pool.add(seeded_cells(pos, c.division_volume, c.doubling_time, c.doubling_time_cv, state.seed))


def phase_problems(phases, cfg) -> list[tuple[int, str]]:
    """(phase index, problem) for each tissue phase whose dt is too long for
    the tumour cells' doubling time."""
    return [(i, f"tumour: tissue phase {phase.name!r} has dt {phase.dt} s, more than {MAX_CYCLE_PER_STEP} of the "
                f"doubling time ({cfg.doubling_time} s); use a shorter dt")
            for i, phase in enumerate(phases) if phase.clock == TISSUE and phase.dt > MAX_CYCLE_PER_STEP * cfg.doubling_time]


def initialize(sim) -> None:
    """The empty tumour pool of a new run (cells arrive by seeding)."""
    cfg = sim.config.tumour
    if cfg is not None:
        sim.add_pool(TUMOUR, cfg.capacity or 1024)


def operations(sim) -> list[Operation]:
    """The tumour operations in step order, when the config has ``tumour:``."""
    cfg = sim.config.tumour
    if cfg is None:
        return []
    for _, problem in phase_problems(sim.config.phases, cfg):
        raise ValueError(problem)
    confinement = Confinement()
    return [
        TumourSeeding(cfg, confinement),
        TumourSecretion(cfg),
        TumourEmt(cfg),
        TumourDeath(cfg),
        TumourGrowth(cfg, confinement),
        TumourMechanics(cfg, confinement),
    ]
