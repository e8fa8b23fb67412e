"""Typed config fields: strict base model and quantity types with units.

A quantity field takes a string with a unit (``"2.5 um"``) and stores a float in
the canonical unit named by the type (``Length`` → µm). The stored value is
the converted float, so the resolved config shows canonical numbers.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

from alveosim.units import UnitError, parse


class StrictModel(BaseModel):
    """Base for every config section: unknown keys are errors, types strict,
    numbers finite."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=False, validate_assignment=True, allow_inf_nan=False)


def quantity(canonical: str, molar_mass_g_per_mol: float | None = None):
    """An ``Annotated[float, ...]`` type parsed from a unit string into ``canonical``."""

    def _convert(value):
        try:
            return parse(value, canonical, molar_mass_g_per_mol)
        except UnitError as exc:
            raise ValueError(str(exc)) from None

    return Annotated[float, BeforeValidator(_convert), PlainSerializer(lambda v: f"{v!r} {canonical}".strip(), return_type=str)]


Length = quantity("um")
Time = quantity("s")
Speed = quantity("um/s")
Rate = quantity("1/s")
Diffusivity = quantity("um^2/s")
NumberDensity = quantity("1/um^3")
ChemokineConc = quantity("pM", molar_mass_g_per_mol=10460.0)  # CXCL13, 10.46 kDa (UniProt)
AntibodyConc = quantity("nM", molar_mass_g_per_mol=150000.0)  # IgG, ~150 kDa
Volume = quantity("um^3")
ChemokineRate = quantity("pM/s", molar_mass_g_per_mol=10460.0)  # CXCL13 secretion into plasma
ChemokineAmountRate = quantity("pM*um^3/s", molar_mass_g_per_mol=10460.0)  # CXCL13 secreted by a source (e.g. "500 molecule/s")
Viscosity = quantity("Pa*s")
Gradient = quantity("1/um")  # a.u./µm: gradient of an a.u. field (alveolar macrophage chemotaxis)
VolumeRate = quantity("um^3/s")  # a.u.·µm³/s: secretion of one agent into an a.u. field
