"""Blood windows: short stretches of blood flow inside a tissue phase.

A tissue phase with ``blood_windows: {every, duration, dt}`` runs, after the
tissue operations of every ``every``-th tissue step (counted from the
phase's start), ``duration / dt`` blood steps of the blood-only operations
(those whose clocks are exactly ``{blood}``: inflow, transport, binding,
activation, aggregation, occlusion), the same operations in the same order
as a blood phase. Operations on both clocks (the systemic pools) are not
run again: they already advanced over the tissue step that holds the window.
The window sees the tissue state as it is (shedding rates, plasma sEV-β2,
antibody θ, occlusion) and leaves its aggregates and occlusion behind.

Between windows the blood in the box is replaced (a capillary is crossed in
seconds, a window comes hours later): at each window's start the free
agents (non-aggregated platelets, free sEVs) leave, counted as outflow, and
fresh ones are seeded at their steady-state densities (platelet density,
plasma sEV-β2) in the open blood voxels, counted as seeded. Aggregated
platelets stay: they are the clots, resolved on the tissue clock
(sim/blood/resolution.py).

A window is atomic within its tissue step: writers (time series,
checkpoints) act only after the whole tissue step, and ``state.step`` is
back at its tissue value when the window ends. During the window the random
draws are keyed by :func:`window_step`, step numbers beyond the run's own
steps and unique per (tissue step, window step), so a resumed run draws the
same numbers.
"""

from __future__ import annotations

import numpy as np

from alveosim.blood import ledger
from alveosim.blood.seeding import seed_free
from alveosim.blood.species import AGGREGATED
from alveosim.channels import BLOOD_WINDOWS
from alveosim.operations import BLOOD, TISSUE, Column, Operation
from alveosim.schedule import schedule_trigger
from alveosim.streams import Stream

WINDOWS_KEY = BLOOD_WINDOWS  # state.values: windows run so far
MAX_STEP_KEY = 2**32  # kernels.rng keys the step in 32 bits


def window_trigger(config):
    """A per-phase trigger firing every ``blood_windows.every`` of each
    tissue phase that has windows (never in the others)."""
    every = {p.name: (p.blood_windows.every if p.blood_windows is not None else None) for p in config.phases}
    return schedule_trigger(every, config.phases)


def longest_window(config) -> int:
    """Most blood steps in any phase's window (0 without windows)."""
    return max((p.blood_windows.n_steps for p in config.phases if p.blood_windows is not None), default=0)


def window_step(total_steps: int, longest: int, tissue_step: int, k: int) -> int:
    """The step number the blood operations see in blood step ``k`` (0-based)
    of the window of tissue step ``tissue_step`` (1-based): past every step
    of the run (``total_steps``) and unique per (tissue_step, k < longest)."""
    return total_steps + (tissue_step - 1) * longest + k


def window_problems(cfg) -> list[tuple[tuple, str]]:
    """(loc, message) for windows the run cannot hold: no ``blood:`` or
    ``lattice:`` section, or step keys beyond the random numbers' 32 bits."""
    problems = []
    with_windows = [i for i, p in enumerate(cfg.phases) if p.blood_windows is not None]
    if not with_windows:
        return problems
    loc = ("phases", with_windows[0], "blood_windows")
    if cfg.blood is None or cfg.lattice is None:
        problems.append((loc, "blood windows need the blood side: a 'blood:' and a 'lattice:' section"))
    total = sum(p.n_steps for p in cfg.phases)
    if window_step(total, longest_window(cfg), total, longest_window(cfg)) >= MAX_STEP_KEY:
        problems.append((loc, f"{total} steps with windows of {longest_window(cfg)} blood steps exceed the random numbers' 2^32 step keys; use fewer or shorter windows"))
    return problems


class BloodWindow(Operation):
    """Tissue clock: when the trigger fires, refresh the free blood and run
    the blood-only operations for the phase's window (module docstring).
    Observes ``blood_windows``, the windows run so far."""

    clocks = frozenset({TISSUE})
    name = "blood.window"
    after = frozenset({"lattice", "fields", "tumour", "alveolar", "lesions", "macrophages", "systemic", "blood.clot_resolution"})

    def __init__(self, context, trigger):
        super().__init__(trigger)
        self.context = context

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        self.total_steps = sim.total_steps
        self.longest = longest_window(sim.config)
        self.blood_cfg = sim.config.blood

    def blood_operations(self) -> list[Operation]:
        """The operations a window runs, in list order."""
        return [op for op in self.sim.operations if not op.writer and op.clocks == frozenset({BLOOD})]

    def act(self, state, dt):
        window = self.sim.config.phases[state.phase_index].blood_windows
        tissue_step = state.step + 1  # the tissue step this window belongs to
        state.values[WINDOWS_KEY] = state.values.get(WINDOWS_KEY, 0.0) + 1.0
        self.refresh(state, tissue_step)
        ops = self.blood_operations()
        saved = state.step
        try:
            for k in range(window.n_steps):
                state.step = window_step(self.total_steps, self.longest, tissue_step, k)
                for op in ops:
                    if op.trigger(state.step + 1, state.time + dt, window.dt):
                        op.act(state, window.dt)
        finally:
            state.step = saved

    def refresh(self, state, tissue_step: int) -> None:
        """Free platelets and sEVs leave (outflow); fresh ones are seeded."""
        xp = state.backend.xp
        platelets, evs = state.pool("platelet"), state.pool("ev")
        gone = platelets.live("state") != AGGREGATED
        n_gone, n_evs = state.backend.scalar(xp.count_nonzero(gone)), evs.n
        platelets.remove(gone, n_gone)
        evs.remove(xp.ones(evs.n, dtype=bool), n_evs)
        ledger.add(state, "platelet_outflow", n_gone)
        ledger.add(state, "ev_outflow", n_evs)
        rng = np.random.default_rng([state.seed, int(Stream.BLOOD_WINDOW), tissue_step])
        seed_free(state, self.context.geometry, self.blood_cfg, rng)

    def columns(self):
        return [Column(WINDOWS_KEY, "count", "blood windows run since the run started")]

    def observe(self, state):
        return {WINDOWS_KEY: state.values.get(WINDOWS_KEY, 0.0)}
