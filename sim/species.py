"""Species declarations: what each agent of a species stores, once.

Pools, checkpoints, snapshots and ``inspect`` are all derived from a
:class:`Species`, so adding a species means declaring it here (or in the
feature's module) and nothing else in the I/O code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

UID_FIELD = "uid"


@dataclass(frozen=True)
class Species:
    """One agent species.

    fields: name -> (dtype string, trailing shape), e.g. ``{"pos": ("f4", (3,))}``;
    a ``uid`` field (int64, unique per agent) is always added.
    units: name -> unit string for documentation and snapshots (``"um"``).
    states: names of the integer values of the ``state`` field, if any.
    """

    name: str
    fields: dict[str, tuple[str, tuple[int, ...]]]
    units: dict[str, str] = field(default_factory=dict)
    states: tuple[str, ...] = ()

    def all_fields(self) -> dict[str, tuple[np.dtype, tuple[int, ...]]]:
        """Every stored field including ``uid``, with NumPy dtypes."""
        out = {UID_FIELD: (np.dtype("i8"), ())}
        for name, (dtype, shape) in self.fields.items():
            out[name] = (np.dtype(dtype), tuple(shape))
        return out

    def bytes_per_agent(self) -> int:
        return sum(dt.itemsize * int(np.prod(shape, dtype=np.int64)) for dt, shape in self.all_fields().values())


REGISTRY: dict[str, Species] = {}


def register(species: Species) -> Species:
    """Add a species to the registry (names are unique)."""
    existing = REGISTRY.get(species.name)
    if existing is not None and existing != species:
        raise ValueError(f"species {species.name!r} registered twice with different fields")
    REGISTRY[species.name] = species
    return species
