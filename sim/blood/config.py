"""Config section ``blood:``: ``platelets:``,
``vesicles:``, the occlusion threshold, the clot half-life and an optional
``injury:`` (the haemostasis assay, sim/blood/haemostasis.py); and a tissue
phase's ``blood_windows:``. Defaults are canonical-unit
floats (µm, s); every value without a source is a calibrated assumption."""

from __future__ import annotations

from pydantic import Field

from alveosim.config.sections import Section
from alveosim.systemic.config import Antibody
from alveosim.config.types import Diffusivity, Length, NumberDensity, Rate, StrictModel, Time, Volume


class Platelets(StrictModel):
    """Platelets: ``resting → primed (≥ bonds_to_prime bound sEVs) → activated
    (after activation_delay) → aggregated``, plus a spontaneous activation
    baseline. Aggregated platelets are immobile."""

    density: NumberDensity = Field(gt=0, description="platelets per blood volume (mouse ~1e6 /uL, Ware 2004)")
    volume: Volume = Field(default=4.7, gt=0, description="per platelet (mouse 4.7 fL, Ware 2004)")
    diffusivity: Diffusivity = Field(default=0.5, ge=0, description="effective (shear-enhanced) diffusivity; calibrated assumption")
    contact_distance: Length = Field(default=1.2, gt=0, description="EV-platelet centre distance for binding (platelet radius + EV radius)")
    bonds_to_prime: int = Field(default=2, ge=1, description="bound sEVs that prime a platelet (m; assume 1-5)")
    activation_delay: Time = Field(default=2.0, ge=0, description="primed -> activated (tau_act; assume 1-10 s)")
    spontaneous_activation_rate: Rate = Field(default=1e-5, ge=0, description="baseline activation hazard of resting platelets")
    aggregation_radius: Length = Field(default=2.5, gt=0, description="centre distance within which activated platelets join")
    aggregation_rate: Rate = Field(default=20.0, ge=0, description="hazard of joining a neighbouring activated/aggregated platelet")
    capacity: int | None = Field(default=None, ge=1, description="initial pool rows (grows as needed)")


class Vesicles(StrictModel):
    """Small EVs carrying integrin β2: Brownian motion in the plasma flow,
    clearance, binding to platelets within the contact distance."""

    diffusivity: Diffusivity = Field(default=4.0, ge=0, description="~4 um^2/s for a 100 nm vesicle (Stokes-Einstein)")
    half_life: Time = Field(default=300.0, gt=0, description="plasma clearance half-life (minutes; Takahashi 2013, unverified)")
    binding_rate: Rate = Field(default=50.0, ge=0, description="k_bind of an EV in contact with a platelet (GPIb); calibrated assumption")
    plasma_concentration: NumberDensity = Field(
        default=0.0, ge=0, description="sEV-beta2 in inflowing blood when no systemic pool (plasma_sev_b2_per_um3) is present"
    )
    capacity: int | None = Field(default=None, ge=1, description="initial pool rows (grows as needed)")


class Injury(StrictModel):
    """A wounded capillary wall: the faces between blood voxels and wall
    (non-blood) voxels whose centre lies within ``radius`` µm of the wall
    face nearest ``center`` expose subendothelium. A platelet within ``contact_distance`` of such a
    face tethers through GPIb–vWF with hazard ``adhesion_rate``·(1 − θ_GPIb)
    and one within ``aggregation_radius`` of a plug platelet with hazard
    ``recruitment_rate``·(1 − θ_GPIb); tethered platelets are activated,
    aggregated and immobile. θ_GPIb = A/(A + Kd) from ``anti_gpib`` (a plasma
    compartment and its Kd), 0 without. The plug is formed when it holds
    ``plug_platelets`` platelets. sEV-β2 bonds play no part."""

    center: list[Length] = Field(min_length=3, max_length=3, description="the wound is on the wall face nearest this point (x, y, z), um")
    radius: Length = Field(gt=0, description="wall faces whose centre lies within this distance of the wound's face are injured, um")
    contact_distance: Length = Field(default=1.25, gt=0, description="platelet centre to injured wall for GPIb-vWF tethering, um")
    adhesion_rate: Rate = Field(gt=0, description="GPIb-vWF tethering hazard of a platelet in contact with exposed subendothelium, 1/s")
    recruitment_rate: Rate = Field(ge=0, description="hazard of a platelet near a plug platelet being captured into the plug, 1/s")
    plug_platelets: int = Field(ge=1, description="platelets in the plug at which it counts as formed (plug formation time)")
    anti_gpib: Antibody | None = Field(default=None, description="anti-GPIb antibody: a plasma compartment (nM) and its Kd")


class BloodConfig(StrictModel):
    """The blood side of the pro-thrombotic niche, run on the blood clock."""

    platelets: Platelets
    vesicles: Vesicles = Field(default_factory=Vesicles)
    occlusion_threshold: float = Field(default=0.5, gt=0, le=1, description="aggregated-platelet volume fraction that occludes a voxel")
    clot_half_life: Time | None = Field(
        default=None, gt=0, description="aggregates resolve whole (fibrinolysis, embolisation) with this half-life on the tissue clock; null: never"
    )
    injury: Injury | None = Field(default=None, description="a wounded capillary wall where platelets build a haemostatic plug")


SECTIONS = (Section("blood", BloodConfig),)  # sEVs, platelets, clots
