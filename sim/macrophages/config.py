"""Config section ``macrophages:``: interstitial macrophages (IMs) in the
septal tissue, reprogrammed by CXCL13 and shedding sEVs into the blood."""

from __future__ import annotations

from pydantic import Field

from alveosim.config.sections import Section
from alveosim.config.types import ChemokineConc, Length, NumberDensity, Rate, StrictModel


class Macrophages(StrictModel):
    """Interstitial macrophages (IMs) in septal voxels: ``naive → reprogrammed``
    with hazard ``reprogramming_rate · C^n / (C^n + K^n)`` at the local CXCL13
    C (CXCR5 signalling); reprogrammed IMs shed sEVs into the nearest blood
    voxel within ``shedding_reach``."""

    density: NumberDensity = Field(ge=0, description="IMs per µm³ of septal tissue")
    reprogramming_rate: Rate = Field(ge=0, description="k_rep, maximal hazard (1/s)")
    half_saturation: ChemokineConc = Field(gt=0, description="K, CXCL13 at half-maximal hazard (pM)")
    hill_coefficient: float = Field(default=2.0, gt=0, description="n of the Hill hazard")
    reversion_rate: Rate = Field(default=0.0, ge=0, description="reprogrammed → naive (1/s)")
    shedding_rate: Rate = Field(ge=0, description="λ_ev, sEVs released per second per reprogrammed IM")
    shedding_reach: Length = Field(default=10.0, gt=0, description="farthest blood voxel an IM sheds into (µm)")
    cxcl13_uptake_rate: Rate = Field(default=0.0, ge=0, description="CXCL13 uptake rate constant per IM (1/s)")
    depleted: bool = Field(default=False, description="IM depletion: no IMs are placed")
    cxcr5_knockout: bool = Field(default=False, description="CXCR5 loss: IMs never reprogram")
    itgb2_knockout: bool = Field(default=False, description="Itgb2 loss: shed sEVs carry no β2")


SECTIONS = (Section("macrophages", Macrophages),)
