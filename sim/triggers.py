"""Triggers decide whether an operation acts at a step (HOOMD-style).

A trigger is called after the step's time advance with the global step count,
the simulated time (s) and the step's dt (s). Triggers hold no state, so a
resumed run fires them exactly as the uninterrupted run would.
"""

from __future__ import annotations

import math
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
class EveryTime:
    """Each step in which simulated time crosses a multiple of ``interval`` s
    (robust across phases with different time steps)."""

    interval: float

    def __post_init__(self):
        if self.interval <= 0:
            raise ValueError(f"EveryTime trigger needs a positive interval, got {self.interval}")

    def __call__(self, step, time, dt):
        return math.floor(time / self.interval + _EPS) > math.floor((time - dt) / self.interval + _EPS)


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
