"""Config section of the walker example: ``species: {walker: …}``."""

from __future__ import annotations

from pydantic import Field

from alveosim.config.sections import Section
from alveosim.config.types import Diffusivity, Length, Rate, StrictModel


class Walker(StrictModel):
    """The demonstration species of the foundation: cells that random-walk,
    count neighbours, divide when uncrowded and die at a constant rate."""

    count: int = Field(ge=0, le=2**31 - 1)
    capacity: int | None = Field(default=None, ge=1)
    radius: Length = Field(gt=0)
    diffusivity: Diffusivity = Field(ge=0)
    division_rate: Rate = Field(ge=0)
    death_rate: Rate = Field(ge=0)
    crowding_limit: int = Field(default=6, ge=0, description="no division with this many neighbours or more")


class SpeciesSection(StrictModel):
    """Agent species present in the run; each is optional."""

    walker: Walker | None = None


SECTIONS = (Section("species", SpeciesSection, default_factory=SpeciesSection),)
