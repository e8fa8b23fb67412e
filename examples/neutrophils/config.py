"""Config section of the neutrophil example: ``neutrophils:`` (µm, s)."""

from __future__ import annotations

from pydantic import Field

from alveosim.config.sections import Section
from alveosim.config.types import Diffusivity, Length, Rate, StrictModel


class Neutrophils(StrictModel):
    """Neutrophils seeded uniformly in the open blood of the box, carried by
    the flow, binding platelets they touch (P-selectin–PSGL-1)."""

    count: int = Field(ge=0, le=2**31 - 1, description="neutrophils seeded in the blood at the start")
    diffusivity: Diffusivity = Field(default=0.1, ge=0, description="effective diffusivity in the flow")
    contact_distance: Length = Field(default=5.0, gt=0, description="neutrophil-platelet centre distance at contact")
    binding_rate: Rate = Field(ge=0, description="bond hazard with a platelet in contact")


SECTIONS = (Section("neutrophils", Neutrophils),)
