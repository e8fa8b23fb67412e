"""Operations: the units of work a Simulation orders. Each runs on a trigger,
on one or both clocks; writers run after the step's time advance. Each
declares the time-series columns its ``observe`` returns (:class:`Column`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from alveosim.triggers import Always, Trigger

TISSUE = "tissue"
BLOOD = "blood"
BOTH = frozenset({TISSUE, BLOOD})


@dataclass(frozen=True)
class Column:
    """One time-series column: its name, unit (``"1"`` for a ratio or a
    fraction, ``"count"`` for a number of things, ``"-"`` for text) and a
    one-line description."""

    name: str
    unit: str
    description: str


# operation class -> its column declaration, for classes declared from another module
_DECLARED: dict[type, Callable[[Operation], list[Column]]] = {}


def declares_columns(cls: type) -> Callable:
    """Decorator: ``fn(op) -> list[Column]`` declares the columns of the
    operations of class ``cls`` (used where the declaration lives beside the
    class rather than in it)."""

    def register(fn):
        _DECLARED[cls] = fn
        return fn

    return register


class Operation:
    """Base class. Subclasses override :meth:`act` and, as needed, ``attach``,
    ``observe``, ``columns`` and ``finish``.

    clocks: the clocks (``"tissue"``, ``"blood"``) on which it runs.
    writer: writers act after the time advance and see the step's result.
    name: a stable name (``None``: the class name in snake case).
    after, before: names (or name groups, ``"blood"`` for ``"blood.…"``) of
    the operations it acts after / before; the Simulation orders its
    operations by them (:mod:`alveosim.ordering`). Class attributes, or
    given to the constructor.
    """

    clocks: frozenset = BOTH
    writer: bool = False
    name: str | None = None
    after: str | frozenset = frozenset()
    before: str | frozenset = frozenset()

    def __init__(self, trigger: Trigger | None = None, *, name: str | None = None, after=None, before=None):
        self.trigger = trigger if trigger is not None else Always()
        self.sim = None
        for key, value in (("name", name), ("after", after), ("before", before)):
            if value is not None:
                setattr(self, key, value)

    def attach(self, sim) -> None:
        """Bind kernels and allocate scratch on ``sim.backend`` (once, before stepping)."""
        self.sim = sim

    def act(self, state, dt: float) -> None:
        """Do the work of one triggered step (dt in seconds)."""

    def columns(self) -> list[Column]:
        """Every time-series column :meth:`observe` may return, asked once
        after every operation is attached. A value ``observe`` leaves out is
        logged as NaN; a key not declared here is an error. Default: the
        declaration registered with :func:`declares_columns`, else none."""
        declared = _DECLARED.get(type(self))
        return declared(self) if declared is not None else []

    def observe(self, state) -> dict[str, float]:
        """Named scalars for the time series (small device→host reductions),
        keys among :meth:`columns`."""
        return {}

    def finish(self, state) -> None:
        """Called once when a run ends, normally or on Ctrl-C."""
