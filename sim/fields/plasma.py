"""Systemic plasma compartments: one concentration each, advanced exactly
over every tissue step and read by the fields as their blood-voxel values.

State lives in ``state.values``: ``plasma_<name>`` (the concentration, in
the compartment's unit) and ``plasma_added_rate_<name>`` (production added
by agents for the coming step, unit/s; cleared when used).
"""

from __future__ import annotations

import math

from alveosim.fields.config import UNITS, PlasmaCompartment
from alveosim.operations import Column


def unit_suffix(unit: str) -> str:
    """Column-name suffix of a unit (``pM``, ``nM``, ``uM``, ``au``)."""
    return unit if UNITS[unit] else "au"


def advance_one(p0: float, rate: float, k: float, dt: float) -> float:
    """Exact solution of dP/dt = rate − k·P after dt seconds from P = p0."""
    if k * dt > 1e-12:
        return p0 * math.exp(-k * dt) - rate * math.expm1(-k * dt) / k
    return p0 + rate * dt


class Plasma:
    """The compartments of a run (``config.plasma``), bound to ``sim.state``."""

    def __init__(self, sim, compartments: dict[str, PlasmaCompartment]):
        self.sim = sim
        self.compartments = dict(compartments)
        self.names = list(self.compartments)
        self._doses = {n: [(d.time, d.value(c.unit)) for d in c.doses] for n, c in self.compartments.items()}

    def initialize(self, state) -> None:
        """Initial concentrations of a new run."""
        for name, comp in self.compartments.items():
            state.values[f"plasma_{name}"] = comp.initial
            state.values[f"plasma_added_rate_{name}"] = 0.0

    def _check(self, name: str) -> None:
        if name not in self.compartments:
            raise KeyError(f"no plasma compartment {name!r}; declared: {self.names}")

    def add_rate(self, name: str, amount_per_s: float) -> None:
        """Add production (unit/s) to compartment ``name`` for the coming tissue step."""
        self._check(name)
        values = self.sim.state.values
        key = f"plasma_added_rate_{name}"
        values[key] = values.get(key, 0.0) + float(amount_per_s)

    def value(self, state, name: str) -> float:
        """Current concentration of compartment ``name`` (its unit)."""
        self._check(name)
        return state.values[f"plasma_{name}"]

    def advance(self, state, t0: float, dt: float) -> None:
        """Advance every compartment from t0 to t0 + dt (s): production and
        added rates held over the step, first-order clearance, and the doses
        with t0 <= time < t0 + dt, each decayed from its own time."""
        t1 = t0 + dt
        for name, comp in self.compartments.items():
            k = comp.clearance
            rate = comp.production + state.values.get(f"plasma_added_rate_{name}", 0.0)
            p = advance_one(state.values[f"plasma_{name}"], rate, k, dt)
            for t_dose, amount in self._doses[name]:
                if t0 - 1e-9 <= t_dose < t1 - 1e-9:
                    p += amount * math.exp(-k * (t1 - t_dose))
            state.values[f"plasma_{name}"] = p
            state.values[f"plasma_added_rate_{name}"] = 0.0

    def columns(self) -> list[Column]:
        """The time-series columns :meth:`observe` returns."""
        return [Column(f"plasma_{n}_{unit_suffix(c.unit)}", c.unit, f"plasma {n} concentration") for n, c in self.compartments.items()]

    def observe(self, state) -> dict[str, float]:
        """``plasma_<name>_<unit>`` for each compartment."""
        return {f"plasma_{n}_{unit_suffix(c.unit)}": state.values[f"plasma_{n}"] for n, c in self.compartments.items()}
