"""Feature: tumour cells — the ``tumour:`` config section.

``initialize`` creates the empty ``tumour`` pool; ``operations`` returns, in
step order on the tissue clock: seeding (once, in the step holding
``seeding.time``, so a macrophage depletion can come first), secretion, EMT,
death, growth and division, mechanics. ``sim.tumour_cells`` is the tumour
:class:`CellList` (cutoff ``geometry.cell_list_cutoff``), rebuilt by the
mechanics on the step's final positions: other features may query it after
the tumour operations ran in a step.

State it keeps: the ``tumour`` pool and ``state.values`` ``tumour_births``,
``tumour_deaths`` (cumulative) and ``tumour_max_overlap``.
"""

from __future__ import annotations

from alveosim.operations import TISSUE, Operation
from alveosim.triggers import At
from alveosim.tumour.geometry import MAX_CYCLE_PER_STEP, confinement_labels, tumour_cell_list
from alveosim.tumour.lifecycle import TumourDeath, TumourEmt, TumourGrowth, TumourSecretion
from alveosim.tumour.mechanics import TumourMechanics
from alveosim.tumour.seeding import arrival_positions, focus_positions, seeded_cells
from alveosim.tumour.species import TUMOUR


class TumourSeeding(Operation):
    """Adds the seeded cells (``alveosim.tumour.seeding``) to the pool once, at
    ``seeding.time``, and rebuilds the tumour cell list."""

    clocks = frozenset({TISSUE})
    name = "tumour.seeding"
    after = frozenset({"lattice", "fields", "walker"})

    def __init__(self, cfg, cells):
        super().__init__(At(cfg.seeding.time))
        self.cfg = cfg
        self.cells = cells

    def attach(self, sim):
        super().attach(sim)
        self.labels = confinement_labels(sim)
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
        self.cells.build(pool.arrays["pos"], pool.n)


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
    sim.tumour_cells = tumour_cell_list(sim, cfg)
    return [
        TumourSeeding(cfg, sim.tumour_cells),
        TumourSecretion(cfg),
        TumourEmt(cfg),
        TumourDeath(cfg),
        TumourGrowth(cfg, sim.tumour_cells),
        TumourMechanics(cfg, sim.tumour_cells),
    ]
