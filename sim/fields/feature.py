"""Feature: reaction–diffusion fields and plasma compartments.

Publishes the ``fields`` channel (a :class:`FieldSet`, when the config has
``fields:``) and ``plasma`` (a :class:`Plasma`, when it has ``plasma:``), and adds
one tissue-clock operation that advances the plasma and then the fields.
"""

from __future__ import annotations

from alveosim.channels import FIELDS, PLASMA
from alveosim.fields.config import check_plasma_links
from alveosim.fields.fieldset import FieldSet
from alveosim.fields.plasma import Plasma
from alveosim.operations import TISSUE, Column, Operation


class FieldStep(Operation):
    """Advance the plasma compartments from t to t + dt, then every field by
    dt with its blood voxels at the new plasma values (implicit in time)."""

    clocks = frozenset({TISSUE})
    name = "fields.step"
    after = "lattice"

    def __init__(self, fields: FieldSet | None, plasma: Plasma | None, trigger=None):
        super().__init__(trigger)
        self.fields = fields
        self.plasma = plasma

    def attach(self, sim):
        super().attach(sim)
        if self.fields is not None:
            self.fields.bind(sim.state)

    def act(self, state, dt):
        if self.plasma is not None:
            self.plasma.advance(state, state.time, dt)
        if self.fields is not None:
            values = {n: state.values[f"plasma_{n}"] for n in (self.plasma.names if self.plasma else [])}
            self.fields.step(state, dt, values)

    def columns(self) -> list[Column]:
        return (self.plasma.columns() if self.plasma is not None else []) + (self.fields.columns() if self.fields is not None else [])

    def observe(self, state):
        out = self.plasma.observe(state) if self.plasma is not None else {}
        if self.fields is not None:
            out.update(self.fields.observe(state))
        return out


def _build(sim):
    """Publish the ``plasma`` and ``fields`` channels from the config (new or
    resumed run), once; returns (plasma, fields), each None when not configured."""
    cfg, ch = sim.config, sim.channels
    if not (ch.published(PLASMA) or ch.published(FIELDS)):
        check_plasma_links(cfg.fields, cfg.plasma)
        if cfg.plasma:
            ch.publish(PLASMA, __name__, Plasma(sim, cfg.plasma))
        if cfg.fields is not None:
            ch.publish(FIELDS, __name__, FieldSet(sim, cfg.fields))
    return ch.value(PLASMA), ch.value(FIELDS)


def initialize(sim) -> None:
    """Initial field and plasma state of a new run."""
    plasma, fields = _build(sim)
    if plasma is not None:
        plasma.initialize(sim.state)
    if fields is not None:
        fields.initialize(sim.state)


def operations(sim) -> list[Operation]:
    """The field/plasma step, when the config declares fields or plasma."""
    plasma, fields = _build(sim)
    if fields is None and plasma is None:
        return []
    return [FieldStep(fields, plasma)]
