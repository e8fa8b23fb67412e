"""The blood clock's host points: the steps in which the host may read the
device. Inside any other blood step nothing is read (pool counts, the
ledger, joins and births stay on the device); at a host point the pools'
sizes are read and their capacity is checked, aggregate labels are settled
and new occlusions re-route the flow (:mod:`alveosim.blood.aggregation`,
:mod:`alveosim.blood.clots`).

Host points are the time-series logging steps (``output.timeseries_every``,
whose rows read the device anyway) and the first step of each phase; a
phase without logging gets one every :data:`FALLBACK_EVERY` steps. Inside a
blood window (:mod:`alveosim.blood.windows`, whose steps are numbered past
the run's own) they are the window's first and last steps and every
:data:`WINDOW_EVERY` steps between.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass

from alveosim.operations import BLOOD, Operation
from alveosim.schedule import steps_per_phase

FALLBACK_EVERY = 1000  # blood steps between host points of a phase that logs nothing
WINDOW_EVERY = 25  # blood steps between host points inside a blood window (50 ms at 2 ms)
BIRTH_SIGMAS = 10.0  # headroom above the expected births until the next host point, in Poisson standard deviations


@dataclass(frozen=True)
class HostPoints:
    """A trigger: step 1 of each phase and every ``every[k]`` steps of phase
    ``k`` counted from its start; ``ends[k]`` is the global step at which
    phase ``k`` ends. Past the last phase's end, steps are blood-window steps
    (:func:`alveosim.blood.windows.window_step`: ``longest`` per tissue step,
    ``windows[k]`` of them used by a window of phase ``k``). Stateless, so a
    resumed run fires it as the uninterrupted one."""

    ends: tuple[int, ...]
    every: tuple[int, ...]
    windows: tuple[int, ...] = ()
    longest: int = 0

    def __call__(self, step, time, dt):
        if step > self.ends[-1]:
            return self._in_window(step)
        k = bisect_left(self.ends, step)
        into = step - (self.ends[k - 1] if k else 0)
        return into == 1 or into % self.every[k] == 0

    def _in_window(self, step) -> bool:
        """Whether window step ``step`` (1-based, as triggers see it) is a
        host point: the window's first, last or every WINDOW_EVERY-th step."""
        if self.longest == 0:
            return False
        tissue_step, k = divmod(step - self.ends[-1] - 1, self.longest)
        n_steps = self.windows[bisect_left(self.ends, tissue_step + 1)]
        return k == 0 or k == n_steps - 1 or (k + 1) % WINDOW_EVERY == 0

    def longest_gap(self, step) -> int:
        """Most steps from ``step`` to the next host point (its phase's period)."""
        if step > self.ends[-1]:
            return WINDOW_EVERY
        return self.every[bisect_left(self.ends, step)]


def host_points(config) -> HostPoints:
    """The host points of ``config``'s phases (the time-series schedule)."""
    ends, total = [], 0
    for phase in config.phases:
        total += phase.n_steps
        ends.append(total)
    every = tuple(n or FALLBACK_EVERY for n in steps_per_phase(config.output.timeseries_every, config.phases))
    windows = tuple(p.blood_windows.n_steps if p.blood_windows is not None else 0 for p in config.phases)
    return HostPoints(tuple(ends), every, windows, max(windows, default=0))


class PoolHeadroom(Operation):
    """At host points: read the EV and platelet counts (an error when births
    found a pool full since the last read) and grow a pool whose free rows
    could run out before the next host point: the expected births of that
    many steps (``inflow.expected_births``) plus :data:`BIRTH_SIGMAS` Poisson
    standard deviations. Agents keep their rows, so growing changes no result."""

    clocks = frozenset({BLOOD})
    name = "blood.headroom"
    after = frozenset({"lattice", "fields", "tumour", "alveolar", "lesions", "macrophages", "systemic"})

    def __init__(self, inflow, trigger: HostPoints):
        super().__init__(trigger)
        self.inflow = inflow

    def act(self, state, dt):
        expected = self.inflow.expected_births(state, dt)
        gap = self.trigger.longest_gap(state.step + 1)
        for name, per_step in expected.items():
            pool = state.pool(name)
            births = per_step * gap
            need = pool.n + int(math.ceil(births + BIRTH_SIGMAS * math.sqrt(births))) + 16
            if need > pool.capacity:
                pool.grow(need)
