"""The blood clock's host points: the steps in which the host may read the
device. Inside any other blood step nothing is read (pool counts, the
ledger, joins and births stay on the device); at a host point the pools'
sizes are read and their capacity is checked, aggregate labels are settled
and new occlusions re-route the flow (:mod:`alveosim.blood.aggregation`,
:mod:`alveosim.blood.clots`).

Host points are the time-series logging steps (``output.timeseries_every``,
whose rows read the device anyway) and the first step of each phase; a
phase without logging gets one every :data:`FALLBACK_EVERY` steps.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass

from alveosim.operations import BLOOD, Operation
from alveosim.schedule import steps_per_phase

FALLBACK_EVERY = 1000  # blood steps between host points of a phase that logs nothing
BIRTH_SIGMAS = 10.0  # headroom above the expected births until the next host point, in Poisson standard deviations


@dataclass(frozen=True)
class HostPoints:
    """A trigger: step 1 of each phase and every ``every[k]`` steps of phase
    ``k`` counted from its start; ``ends[k]`` is the global step at which
    phase ``k`` ends. Stateless, so a resumed run fires it as the
    uninterrupted one."""

    ends: tuple[int, ...]
    every: tuple[int, ...]

    def __call__(self, step, time, dt):
        k = bisect_left(self.ends, step)
        if k >= len(self.ends):
            return False
        into = step - (self.ends[k - 1] if k else 0)
        return into == 1 or into % self.every[k] == 0

    def longest_gap(self, step) -> int:
        """Most steps from ``step`` to the next host point (its phase's period)."""
        k = min(bisect_left(self.ends, step), len(self.ends) - 1)
        return self.every[k]


def host_points(config) -> HostPoints:
    """The host points of ``config``'s phases (the time-series schedule)."""
    ends, total = [], 0
    for phase in config.phases:
        total += phase.n_steps
        ends.append(total)
    every = tuple(n or FALLBACK_EVERY for n in steps_per_phase(config.output.timeseries_every, config.phases))
    return HostPoints(tuple(ends), every)


class PoolHeadroom(Operation):
    """At host points: read the EV and platelet counts (an error when births
    found a pool full since the last read) and grow a pool whose free rows
    could run out before the next host point: the expected births of that
    many steps (``inflow.expected_births``) plus :data:`BIRTH_SIGMAS` Poisson
    standard deviations. Agents keep their rows, so growing changes no result."""

    clocks = frozenset({BLOOD})

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
