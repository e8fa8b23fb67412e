"""Config sections of the lung pro-thrombotic niche, tissue side:
``macrophages:`` (interstitial macrophages), ``primary_tumour:`` (systemic
CXCL13 secretion), ``sev_pool:`` (systemic plasma sEV-β2) and ``antibody:`` (anti-β2 blocking)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alveosim.config.types import AntibodyConc, ChemokineConc, ChemokineRate, Length, NumberDensity, Rate, StrictModel, Time, Volume


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


class PrimaryTumour(StrictModel):
    """The primary tumour outside the lung: it secretes CXCL13 into plasma at
    ``cxcl13_secretion · 2^(t / doubling_time)`` (constant without a doubling time)."""

    type: Literal["none", "pancreatic", "breast", "melanoma", "nsclc"]
    cxcl13_secretion: ChemokineRate = Field(ge=0, description="plasma CXCL13 production at t = 0 (pM/s)")
    doubling_time: Time | None = Field(default=None, gt=0, description="tumour volume doubling time (s)")


class SevPool(StrictModel):
    """Systemic plasma pool of IM-derived sEV-β2 (EVs/µm³), fed by the
    organ's IMs (a mean-field population, not the box's agents):
    df/dt = h(C_plasma) · (1 − f) − r · f with the ``macrophages:`` Hill kinetics,
    dP/dt = λ_ev · organ_im_count · f / plasma_volume − ln2 / clearance_half_life · P.
    A virtual patient is a draw of organ_im_count, clearance_half_life,
    shedding_rate and assay_cv."""

    organ_im_count: float = Field(ge=0, description="N, IMs in the whole lung")
    plasma_volume: Volume = Field(gt=0, description="µm³")
    clearance_half_life: Time = Field(gt=0, description="s")
    shedding_rate: Rate | None = Field(
        default=None, ge=0, description="λ_ev of the organ IMs, sEVs/s per reprogrammed IM (default: macrophages.shedding_rate)"
    )
    assay_cv: float = Field(default=0.0, ge=0, le=10, description="coefficient of variation (1) of the lognormal assay error on the measured value")
    initial: NumberDensity = Field(default=0.0, ge=0, description="EVs/µm³ at t = 0")


class Antibody(StrictModel):
    """Anti-β2 blocking antibody: θ = A / (A + Kd) with A the plasma
    concentration of the ``compartment`` (a ``plasma:`` compartment, nM)."""

    compartment: str = Field(default="antibody", min_length=1)
    kd: AntibodyConc = Field(gt=0, description="nM")
