"""Triggers decide whether an operation acts at a step (HOOMD-style).

A trigger is called after the step's time advance with the global step count,
the simulated time (s) and the step's dt (s). Triggers hold no state, so a
resumed run fires them exactly as the uninterrupted run would.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from typing import Protocol

_EPS = 1e-9


class Trigger(Protocol):
    def __call__(self, step: int, time: float, dt: float) -> bool: ...


@dataclass(frozen=True)
class Always:
    """Every step."""

    def __call__(self, step, time, dt):
        return True


@dataclass(frozen=True)
class Periodic:
    """Every ``every`` steps of the global step count, shifted by ``offset``."""

    every: int
    offset: int = 0

    def __post_init__(self):
        if self.every < 1:
            raise ValueError(f"Periodic trigger needs every >= 1, got {self.every}")

    def __call__(self, step, time, dt):
        return step % self.every == self.offset % self.every


@dataclass(frozen=True)
class PhaseSteps:
    """Every ``every[k]`` steps of phase ``k``, counted from the phase's start
    (``None``: never in that phase), in exact integers.

    ``ends[k]`` is the global step at which phase ``k`` ends (the running sum
    of the phases' step counts); a step belongs to the phase whose interval
    ``(ends[k-1], ends[k]]`` holds it, so a phase's last step counts in that
    phase. Build one from a config with :func:`alveosim.schedule.schedule_trigger`.
    """

    ends: tuple[int, ...]
    every: tuple[int | None, ...]

    def __post_init__(self):
        if len(self.ends) != len(self.every):
            raise ValueError(f"PhaseSteps needs one period per phase: {len(self.ends)} phases, {len(self.every)} periods")
        if any(n is not None and n < 1 for n in self.every):
            raise ValueError(f"PhaseSteps periods must be >= 1 step, got {self.every}")

    def __call__(self, step, time, dt):
        k = bisect_left(self.ends, step)
        if k >= len(self.ends) or self.every[k] is None:
            return False
        start = self.ends[k - 1] if k else 0
        return (step - start) % self.every[k] == 0


@dataclass(frozen=True)
class EveryTime:
    """Once for each multiple of ``interval`` s: in the step whose end time is
    nearest to it (a multiple in ``(time - dt/2, time + dt/2]``).

    Half a step of slack absorbs the rounding of ``time`` at any run length
    (at 4 days the float error is ~1e-10 s, a 2 ms step's half is 1e-3 s), so
    an interval equal to ``dt`` fires every step. Intervals that are whole
    numbers of steps are better counted in steps (:class:`PhaseSteps`).
    """

    interval: float

    def __post_init__(self):
        if self.interval <= 0:
            raise ValueError(f"EveryTime trigger needs a positive interval, got {self.interval}")

    def __call__(self, step, time, dt):
        return math.floor((time + 0.5 * dt) / self.interval) > math.floor((time - 0.5 * dt) / self.interval)


@dataclass(frozen=True)
class At:
    """Once, in the step whose interval ``[time - dt, time)`` holds ``time`` s."""

    time: float

    def __call__(self, step, time, dt):
        return time - dt - _EPS <= self.time < time - _EPS


@dataclass(frozen=True)
class After:
    """Every step whose end time is at or past ``time`` s."""

    time: float

    def __call__(self, step, time, dt):
        return time >= self.time - _EPS
