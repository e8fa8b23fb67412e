"""Declarations of the state's grid arrays (``state.arrays``), made once by
the feature that owns each: its unit, the names of its integer codes when it
is categorical, and whether it is working storage (checkpointed but never
shown in snapshots). Names may be shell patterns (``fields_source_*``). An
undeclared array is shown without a unit."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class GridArray:
    unit: str = ""
    categories: tuple[str, ...] = ()  # name of code 0, 1, 2…
    internal: bool = False


DECLARED: dict[str, GridArray] = {}


def declare(name: str, unit: str = "", categories: tuple[str, ...] = (), internal: bool = False) -> None:
    """Declare the grid array ``name`` (or every array matching the pattern)."""
    DECLARED[name] = GridArray(unit, tuple(categories), internal)


def lookup(name: str) -> GridArray:
    """The declaration of array ``name`` (an empty one when undeclared)."""
    if name in DECLARED:
        return DECLARED[name]
    for pattern, info in DECLARED.items():
        if fnmatchcase(name, pattern):
            return info
    return GridArray()
