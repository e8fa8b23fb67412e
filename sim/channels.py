"""Declared channels between features: the only way one feature hands
something to another.

A channel is declared once, here, with its name, kind, unit, producing
feature and description:

- a **service** (kind ``service``): an object a feature builds and publishes
  at set-up (the field set, the plasma compartments, the flow solver);
- a **quantity** (kind ``value`` or ``array``): a number in ``state.values``
  or a grid array in ``state.arrays``. It stays in the State (checkpointed);
  the channel's name is its key there, so code indexes the State with the
  constant (``state.values[PLASMA_SEV_B2]``), never with a spelled-out
  string.

At set-up (``initialize``/``operations``/``attach``) the producing feature
calls ``sim.channels.publish(NAME, producer, value)`` and a consuming one
``sim.channels.require(NAME, consumer)`` (the value; an error naming both ends
when nothing published it) or ``sim.channels.optional(NAME, consumer)`` (the
value, or None: a consumer that works without it says so). Two producers of
one channel, a producer other than the declared one, or an undeclared name
fail at once. ``sim.channels.rows()`` lists the wiring (``alveosim
validate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ChannelError(RuntimeError):
    """A channel without a producer, with two producers, or undeclared."""


@dataclass(frozen=True)
class Channel:
    """One declared channel: ``kind`` is ``service``, ``value``
    (``state.values``) or ``array`` (``state.arrays``); ``producer`` is the
    feature module that publishes it."""

    name: str
    kind: str
    unit: str
    producer: str
    description: str


CATALOGUE: dict[str, Channel] = {}


def declare(name: str, kind: str, unit: str, producer: str, description: str) -> str:
    """Declare a channel once; returns its name (a quantity's State key)."""
    if kind not in ("service", "value", "array"):
        raise ValueError(f"channel {name!r}: kind must be service, value or array, got {kind!r}")
    if name in CATALOGUE:
        raise ValueError(f"channel {name!r} is declared twice")
    CATALOGUE[name] = Channel(name, kind, unit, producer, description)
    return name


LATTICE = "alveosim.lattice.feature"
FIELDS_FEATURE = "alveosim.fields.feature"
SYSTEMIC = "alveosim.systemic"
MACROPHAGES = "alveosim.macrophages"
BLOOD = "alveosim.blood"

# -- services ---------------------------------------------------------------
FLOW = declare("flow", "service", "", LATTICE, "capillary flow solver (alveosim.lattice.flow.Flow): occlude voxels, re-solve")
FIELDS = declare("fields", "service", "", FIELDS_FEATURE, "the named fields (alveosim.fields.fieldset.FieldSet): sample, add_sources, add_uptake")
PLASMA = declare("plasma", "service", "", FIELDS_FEATURE, "well-mixed plasma compartments (alveosim.fields.plasma.Plasma)")

# -- lattice arrays (state.arrays) --------------------------------------------
LABELS = declare("labels", "array", "label code", LATTICE, "voxel labels, uint8 [nx, ny, nz] (alveosim.labels)")
OCCLUDED = declare("occluded", "array", "0/1", LATTICE, "occluded blood voxels, uint8 [nx, ny, nz]")
PRESSURE = declare("pressure", "array", "Pa", LATTICE, "capillary blood pressure, float32 [nx, ny, nz]")
VELOCITY = declare("velocity", "array", "um/s", LATTICE, "capillary blood velocity, float32 [nx, ny, nz, 3]")

# -- systemic and interstitial quantities --------------------------------------
PLASMA_SEV_B2 = declare("plasma_sev_b2_per_um3", "value", "1/um3", SYSTEMIC, "sEV-beta2 in plasma, carried in by inflowing blood")
EV_BETA2 = declare("ev_beta2", "value", "1", SYSTEMIC, "beta2 content of a new EV (0 with the ITGB2 knockout)")
ANTIBODY_THETA = declare("antibody_theta", "value", "1", SYSTEMIC, "fraction of EV beta2 blocked by the antibody")
EV_SHED_RATE = declare("ev_shed_rate", "array", "1/s", MACROPHAGES, "EVs shed into each blood voxel by reprogrammed IMs, float32 [nx, ny, nz]")

# -- within the blood feature, across its modules --------------------------------
OCCLUSION_EVENTS = declare("occlusion_events", "value", "count", BLOOD, "times the occluded set grew (the flow was re-solved)")
BLOOD_WINDOWS = declare("blood_windows", "value", "count", BLOOD, "blood windows run so far")


@dataclass
class _Wire:
    producer: str | None = None
    value: object = None
    consumers: list[tuple[str, bool]] = field(default_factory=list)  # (consumer, optional)


class Wiring:
    """The channels of one Simulation: who published each, who reads it.
    ``state`` is the Simulation's State: a quantity a prepared State already
    holds (a test's or a script's) counts as published by ``"state"``."""

    def __init__(self, state=None):
        self._wires: dict[str, _Wire] = {}
        self._state = state

    def _wire(self, name: str) -> _Wire:
        if name not in CATALOGUE:
            raise ChannelError(f"channel {name!r} is not declared in alveosim.channels")
        return self._wires.setdefault(name, _Wire())

    def publish(self, name: str, producer: str, value=None):
        """``producer`` (the declared feature module, or a module inside that
        package) publishes ``name``; returns ``value``."""
        w = self._wire(name)
        declared = CATALOGUE[name].producer
        if producer != declared and not producer.startswith(declared + "."):
            raise ChannelError(f"channel {name!r}: {producer} publishes it, but its declared producer is {declared}")
        if w.producer is not None:
            raise ChannelError(f"channel {name!r} has two producers: {w.producer} and {producer}")
        w.producer, w.value = producer, value
        return value

    def substitute(self, name: str, value) -> None:
        """Put ``value`` on channel ``name`` in place of its producer (a
        script's or a test's stand-in, e.g. a recording flow solver)."""
        w = self._wire(name)
        w.producer, w.value = "substitute", value

    def published(self, name: str) -> bool:
        return self._wire(name).producer is not None

    def value(self, name: str):
        """The value on ``name`` (None when unpublished), recording no reader
        (the Simulation's attributes for scripts and tests)."""
        return self._wire(name).value

    def require(self, name: str, consumer: str):
        """The value of ``name`` for ``consumer``, which cannot work without it."""
        w = self._wire(name)
        if not any(c == consumer for c, _ in w.consumers):
            w.consumers.append((consumer, False))
        if w.producer is None and self._in_state(name):
            w.producer = "state"
        if w.producer is None:
            ch = CATALOGUE[name]
            raise ChannelError(f"channel {name!r} ({ch.description}): {consumer} requires it, but its producer {ch.producer} "
                               f"did not publish it (is that feature's config section missing?)")
        return w.value

    def _in_state(self, name: str) -> bool:
        kind = CATALOGUE[name].kind
        store = None if self._state is None or kind == "service" else getattr(self._state, kind + "s")
        return store is not None and name in store

    def optional(self, name: str, consumer: str):
        """The value of ``name`` for ``consumer``, or None when nothing publishes it."""
        w = self._wire(name)
        if not any(c == consumer for c, _ in w.consumers):
            w.consumers.append((consumer, True))
        return w.value if w.producer is not None else None

    def rows(self) -> list[dict]:
        """One row per channel in use: name, kind, unit, producer (None when
        absent), consumers (``"name?"`` for an optional one), description."""
        out = []
        for name, w in self._wires.items():
            ch = CATALOGUE[name]
            out.append({"name": name, "kind": ch.kind, "unit": ch.unit, "producer": w.producer,
                        "consumers": [c + ("?" if opt else "") for c, opt in w.consumers], "description": ch.description})
        return out

    def describe(self) -> list[str]:
        """The wiring as text lines: ``name (kind): producer -> consumers``."""
        return [f"{r['name']} ({r['kind']}): {r['producer'] or '(none)'} -> {', '.join(r['consumers']) or '(no reader)'}"
                for r in self.rows()]
