"""Operations: the units of work a Simulation orders. Each runs on a trigger,
on one or both clocks; writers run after the step's time advance."""

from __future__ import annotations

from alveosim.triggers import Always, Trigger

TISSUE = "tissue"
BLOOD = "blood"
BOTH = frozenset({TISSUE, BLOOD})


class Operation:
    """Base class. Subclasses override :meth:`act` and, as needed, ``attach``,
    ``observe`` and ``finish``.

    clocks: the clocks (``"tissue"``, ``"blood"``) on which it runs.
    writer: writers act after the time advance and see the step's result.
    """

    clocks: frozenset = BOTH
    writer: bool = False

    def __init__(self, trigger: Trigger | None = None):
        self.trigger = trigger if trigger is not None else Always()
        self.sim = None

    def attach(self, sim) -> None:
        """Bind kernels and allocate scratch on ``sim.backend`` (once, before stepping)."""
        self.sim = sim

    def act(self, state, dt: float) -> None:
        """Do the work of one triggered step (dt in seconds)."""

    def observe(self, state) -> dict[str, float]:
        """Named scalars for the time series (small device→host reductions)."""
        return {}

    def finish(self, state) -> None:
        """Called once when a run ends, normally or on Ctrl-C."""
