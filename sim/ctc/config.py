"""Config section ``ctc:``: circulating tumour cells. Canonical units
(µm, s); every value without a source is a calibrated assumption, named as
such where a config sets it."""

from __future__ import annotations

from pydantic import Field

from alveosim.config.sections import Section
from alveosim.config.types import Diffusivity, Length, NumberDensity, Rate, StrictModel, Time


class CtcConfig(StrictModel):
    """CTCs arrive with the inflowing blood of blood windows (or blood
    phases), move with the flow, arrest at a base hazard that a clot
    multiplies (the model's hypothesis: ``clot_enhancement``), then, on the
    tissue clock, extravasate into a tumour cell (a metastatic focus) or are
    cleared."""

    concentration: NumberDensity = Field(gt=0, description="CTCs per blood volume in the inflowing blood (e.g. '20 /uL')")
    diffusivity: Diffusivity = Field(default=0.5, ge=0, description="effective (shear-enhanced) diffusivity in the flow")
    arrest_rate: Rate = Field(gt=0, description="arrest hazard of a CTC in open capillary (size restriction, adhesion)")
    clot_enhancement: float = Field(default=1.0, ge=1, description="arrest hazard at a clot / in open capillary; 1 = clots do not help")
    contact_distance: Length = Field(default=8.5, gt=0, description="CTC-platelet centre distance at which a CTC touches an aggregate (CTC radius + platelet radius)")
    extravasation_time: Time = Field(gt=0, description="mean time from arrest to extravasation")
    clearance_rate: Rate = Field(default=0.0, ge=0, description="death or clearance hazard of an arrested CTC (competes with extravasation)")
    capacity: int | None = Field(default=None, ge=1, description="initial pool rows (grows as needed)")


SECTIONS = (Section("ctc", CtcConfig),)
