"""Output schedules: how often a writer acts, per phase, in whole steps.

``output.snapshot_every``, ``output.timeseries_every`` and
``output.checkpoint_every`` each take one of

- a whole number of steps (``100``): every 100 steps of every phase;
- a simulated time (``"2 s"``, ``"1 h"``): converted, in each phase, to a
  whole number of that phase's ``dt`` steps; a time that is not a whole
  multiple of some phase's ``dt`` is refused (give a mapping instead);
- a mapping from a phase name or a clock name (``tissue``, ``blood``) to
  either of the above or ``null`` (``{blood: 2 s}``, ``{conditioning: 1 d,
  blood_flow: 50}``). A phase takes its own name's entry, else its clock's;
  a phase named by neither has no writes;
- ``null``: never (the checkpoint and snapshot writers still write at the
  end; the time series still logs the first and last rows).

Counts start at each phase's first step, so "every 2 s" of a blood phase
writes at 2 s, 4 s, … after the phase began, with no float comparison.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

from alveosim.units import UnitError, parse

CLOCKS = ("tissue", "blood")
_REL_TOL = 1e-9  # a time is a whole number n of steps when |interval - n dt| <= 1e-9 interval


def _parse_one(value):
    """A step count (int >= 1), a time in s (float > 0) or None (never)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("expected a step count, a time such as '2 s', or null; got a boolean")
    if isinstance(value, int):
        if value < 1:
            raise ValueError(f"a step count must be at least 1, got {value}")
        return value
    if isinstance(value, float):
        raise ValueError(f"{value!r}: give a whole number of steps, or a time with a unit such as '{value:g} s'")
    if isinstance(value, str):
        try:
            seconds = parse(value, "s")
        except UnitError as exc:
            raise ValueError(f"expected a step count or a time such as '2 s': {exc}") from None
        if seconds <= 0:
            raise ValueError(f"a time between writes must be positive, got {value!r}")
        return seconds
    raise ValueError(f"expected a step count, a time such as '2 s', a mapping of phases or clocks to those, or null; got {type(value).__name__}")


def parse_schedule(value):
    """Canonical form of a schedule: int steps, float seconds, a dict of those
    (or None) by phase or clock name, or None."""
    if isinstance(value, dict):
        if not value:
            raise ValueError("an empty mapping: name phases or clocks (e.g. {blood: 2 s}), or use null for never")
        for key in value:
            if not isinstance(key, str):
                raise ValueError(f"mapping keys are phase or clock names, got {key!r}")
        return {key: _parse_one(v) for key, v in value.items()}
    return _parse_one(value)


def _dump_one(value):
    return f"{value!r} s" if isinstance(value, float) else value


def dump_schedule(value):
    """The canonical form as YAML-ready data (times as ``"<seconds> s"``)."""
    if isinstance(value, dict):
        return {key: _dump_one(v) for key, v in value.items()}
    return _dump_one(value)


Schedule = Annotated[Any, BeforeValidator(parse_schedule), PlainSerializer(dump_schedule)]


def _format_time(seconds: float) -> str:
    return f"{seconds:g} s"


def steps_per_phase(schedule, phases) -> list[int | None]:
    """The schedule (canonical, or with times still as strings such as
    ``"2 s"``) as a whole number of steps (or None: never) for each of
    ``phases`` (config ``Phase`` objects with ``name``, ``clock``, ``dt``).

    Raises ValueError (one line) for a key that names no phase or clock, or a
    time that is not a whole number of a phase's steps.
    """
    names = [p.name for p in phases]
    if isinstance(schedule, dict):
        unknown = [k for k in schedule if k not in names and k not in CLOCKS]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is neither a phase ({', '.join(names)}) nor a clock ({', '.join(CLOCKS)})")
    out = []
    for phase in phases:
        if isinstance(schedule, dict):
            value = schedule.get(phase.name, schedule.get(phase.clock))
        else:
            value = schedule
        if isinstance(value, str):
            value = _parse_one(value)
        if value is None or isinstance(value, int):
            out.append(value)
            continue
        n = round(value / phase.dt)
        if n < 1 or abs(value - n * phase.dt) > _REL_TOL * value:
            raise ValueError(
                f"{_format_time(value)} is not a whole number of steps of phase {phase.name!r} (dt {_format_time(phase.dt)}); "
                f"use a multiple of its dt, a step count, or a mapping such as {{{phase.clock}: ...}}"
            )
        out.append(n)
    return out


def schedule_trigger(schedule, phases):
    """A :class:`alveosim.triggers.PhaseSteps` trigger for ``schedule`` over ``phases``."""
    from alveosim.triggers import PhaseSteps

    ends, total = [], 0
    for phase in phases:
        total += phase.n_steps
        ends.append(total)
    return PhaseSteps(tuple(ends), tuple(steps_per_phase(schedule, phases)))
