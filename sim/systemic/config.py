"""Config sections of the systemic pools: ``primary_tumour:`` (CXCL13
secretion into plasma), ``sev_pool:`` (plasma sEV-β2 fed by the organ's IMs)
and ``antibody:`` (anti-β2 blocking)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alveosim.config.sections import Section
from alveosim.config.types import AntibodyConc, ChemokineRate, NumberDensity, Rate, StrictModel, Time, Volume


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


SECTIONS = (Section("primary_tumour", PrimaryTumour), Section("sev_pool", SevPool), Section("antibody", Antibody))
