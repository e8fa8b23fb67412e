"""Config sections ``fields:`` (named fields, per-label diffusivity, decay,
plasma boundary, solver) and ``plasma:`` (systemic compartments with
production, clearance and bolus doses).

Concentrations are written with the unit of their field or compartment
(``"10 pM"``; plain numbers for ``a.u.``) and stored as floats in that unit.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import Field, field_serializer, model_validator

from alveosim.config.sections import Section
from alveosim.config.types import Diffusivity, Rate, StrictModel, Time
from alveosim.labels import NAMES
from alveosim.units import UnitError, parse

# The units a field or compartment may be declared in -> pint unit ("" = dimensionless).
UNITS = {"pM": "pM", "nM": "nM", "uM": "uM", "a.u.": ""}
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _in_unit(value, unit: str, per_second: bool = False) -> float:
    canonical = UNITS[unit] + ("/s" if per_second else "")
    if per_second and not UNITS[unit]:
        canonical = "1/s"
    try:
        return parse(value, canonical)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


def _convert(data, unit_keys: dict[str, bool]):
    """Before-validation: parse the concentration entries of a raw mapping in
    its declared ``unit`` (the model stores floats)."""
    if not isinstance(data, dict) or not isinstance(data.get("unit"), str) or data["unit"] not in UNITS:
        return data
    data = dict(data)
    for key, per_second in unit_keys.items():
        if key in data and isinstance(data[key], (str, int, float)) and not isinstance(data[key], bool):
            data[key] = _in_unit(data[key], data["unit"], per_second)
    return data


def _label_diffusivity_keys(table: dict) -> dict:
    names = set(NAMES.values())
    bad = sorted(set(table) - names)
    if bad:
        raise ValueError(f"unknown labels {bad}; labels are {sorted(names)}")
    return table


class FieldSpec(StrictModel):
    """One diffusing field.

    diffusivity applies to every label except ``air`` (0: no flux into the
    airspace); ``label_diffusivity`` overrides it per label name. Decay is
    given as ``half_life`` or ``decay_rate`` (or neither). ``plasma`` names
    the compartment whose concentration holds at blood voxels (Dirichlet).
    Agents' sources and uptakes are summed per voxel in fixed point with
    ``source_fraction_bits`` fractional bits (of unit/s, resp. 1/s): the
    default 32 resolves 2.3e-10 and holds up to 2e9 per voxel.
    """

    unit: Literal["pM", "nM", "uM", "a.u."]
    initial: float = 0.0
    diffusivity: Diffusivity = Field(ge=0)
    label_diffusivity: dict[str, Diffusivity] = Field(default_factory=dict)
    half_life: Time | None = Field(default=None, gt=0)
    decay_rate: Rate | None = Field(default=None, ge=0)
    plasma: str | None = None
    source_fraction_bits: int = Field(default=32, ge=8, le=48)

    @model_validator(mode="before")
    @classmethod
    def _units(cls, data):
        return _convert(data, {"initial": False})

    @model_validator(mode="after")
    def _check(self):
        _label_diffusivity_keys(self.label_diffusivity)
        if any(v < 0 for v in self.label_diffusivity.values()):
            raise ValueError("label_diffusivity values must be >= 0")
        if self.half_life is not None and self.decay_rate is not None:
            raise ValueError("give half_life or decay_rate, not both")
        if self.initial < 0:
            raise ValueError(f"initial concentration must be >= 0, got {self.initial}")
        return self

    @field_serializer("initial")
    def _ser(self, v):
        return f"{v!r} {self.unit}" if UNITS[self.unit] else v

    @property
    def decay(self) -> float:
        """Decay rate constant (1/s)."""
        if self.half_life is not None:
            return math.log(2.0) / self.half_life
        return self.decay_rate or 0.0

    def label_table(self) -> dict[int, float]:
        """Diffusivity (µm²/s) of every label value."""
        by_name = {name: (0.0 if name == "air" else self.diffusivity) for name in NAMES.values()}
        by_name.update(self.label_diffusivity)
        return {label: by_name[name] for label, name in NAMES.items()}


class FieldsSection(StrictModel):
    """The fields of a run (``named``: field name -> spec) and the solver of
    the tissue clock: ``implicit`` (LOD, unconditionally stable; default),
    ``implicit_cg`` (unsplit implicit Euler by conjugate gradients to a
    relative residual ``tolerance``: keeps sources' near fields at tissue
    steps far longer than the fields' half-lives, where LOD smears them) or
    ``explicit`` (7-point stencil, sub-stepped to dt_sub <= 0.9 h²/(6 D_max))."""

    solver: Literal["implicit", "implicit_cg", "explicit"] = "implicit"
    tolerance: float = Field(default=1e-4, gt=0, lt=1, description="implicit_cg: residual norm / right-hand-side norm")
    max_iterations: int = Field(default=2000, ge=1, description="implicit_cg: most iterations per field and step")
    named: dict[str, FieldSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _names(self):
        bad = [n for n in self.named if not NAME.match(n)]
        if bad:
            raise ValueError(f"field names must be lower-case identifiers, got {bad}")
        return self


class Dose(StrictModel):
    """A bolus: at ``time`` (s from the start of the run) the compartment's
    concentration rises by ``amount`` (in the compartment's unit)."""

    time: Time = Field(ge=0)
    amount: str | float

    def value(self, unit: str) -> float:
        v = _in_unit(self.amount, unit)
        if v < 0:
            raise ValueError(f"dose amount must be >= 0, got {self.amount!r}")
        return v


class PlasmaCompartment(StrictModel):
    """A systemic concentration P (one number): dP/dt = production + rates
    added by agents − k·P, k = ln2 / half_life, plus bolus doses."""

    unit: Literal["pM", "nM", "uM", "a.u."]
    initial: float = 0.0
    production: float = 0.0
    half_life: Time | None = Field(default=None, gt=0)
    doses: list[Dose] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _units(cls, data):
        return _convert(data, {"initial": False, "production": True})

    @model_validator(mode="after")
    def _check(self):
        if self.initial < 0 or self.production < 0:
            raise ValueError("initial and production must be >= 0")
        for i, dose in enumerate(self.doses):
            try:
                dose.value(self.unit)
            except ValueError as exc:
                raise ValueError(f"doses[{i}].amount: {exc}") from None
        return self

    @field_serializer("initial")
    def _ser_initial(self, v):
        return f"{v!r} {self.unit}" if UNITS[self.unit] else v

    @field_serializer("production")
    def _ser_production(self, v):
        return f"{v!r} {self.unit}/s" if UNITS[self.unit] else f"{v!r} 1/s"

    @property
    def clearance(self) -> float:
        """Clearance rate constant k (1/s)."""
        return math.log(2.0) / self.half_life if self.half_life is not None else 0.0


def plasma_link_problems(fields: FieldsSection | None, plasma: dict[str, PlasmaCompartment]) -> list[tuple[tuple, str]]:
    """(key path, problem) for each field whose ``plasma`` names no declared
    compartment or one of another unit."""
    out = []
    for name, spec in (fields.named.items() if fields is not None else ()):
        if spec.plasma is None:
            continue
        comp = plasma.get(spec.plasma)
        loc = ("fields", "named", name, "plasma")
        if comp is None:
            out.append((loc, f"no plasma compartment {spec.plasma!r}; declared: {sorted(plasma)}"))
        elif comp.unit != spec.unit:
            out.append((loc, f"field unit {spec.unit} differs from plasma.{spec.plasma} unit {comp.unit}"))
    return out


def check_plasma_links(fields: FieldsSection | None, plasma: dict[str, PlasmaCompartment]) -> None:
    """Raise ValueError on the first of :func:`plasma_link_problems`."""
    for loc, msg in plasma_link_problems(fields, plasma):
        raise ValueError(f"{'.'.join(loc)}: {msg}")


SECTIONS = (
    Section("fields", FieldsSection),  # reaction-diffusion fields
    Section("plasma", dict[str, PlasmaCompartment], default_factory=dict),  # systemic compartments
)
