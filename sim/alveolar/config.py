"""The ``alveolar_macrophages:`` config section: tissue-resident alveolar
macrophages (TRMs) placed on the alveolar surface, their chemotaxis, contact
switch, secretion and crowding, an optional TRM depletion event and optional
recruitment of monocyte-derived macrophages (MDMs). Canonical units: µm, s;
secretion into the a.u. fields in a.u.·µm³/s per cell (the ``fields`` channel's add_sources)."""

from __future__ import annotations

from pydantic import Field, model_validator

from alveosim.config.sections import Section
from alveosim.config.types import Gradient, Length, Rate, Speed, StrictModel, Time, VolumeRate

DAY = 86400.0


class Depletion(StrictModel):
    """At ``time`` (s from the start of the run) each TRM is removed with
    probability ``fraction``. It acts in the tissue step whose interval
    [t − dt, t) holds ``time``, after the tumour feature's operations of that
    step: to deplete before tumour seeding, seed at least one tissue step later."""

    fraction: float = Field(ge=0, le=1)
    time: Time = Field(ge=0)


class MdmRecruitment(StrictModel):
    """From ``onset`` on, each tissue step of dt recruits Poisson(rate ·
    tumour cells · dt) MDMs (while fewer than ``max_count`` live), each placed
    at the tissue voxel next to a capillary nearest to a random tumour cell,
    within ``reach``."""

    onset: Time = Field(default=10 * DAY, ge=0)
    rate: Rate = Field(ge=0, description="MDMs recruited per tumour cell per second (e.g. '0.05 /d')")
    max_count: int = Field(default=1_000_000, ge=0, description="no recruitment while this many MDMs live")
    reach: Length = Field(default=30.0, gt=0, description="farthest entry voxel from the chosen tumour cell, µm")
    immune_suppression_secretion: VolumeRate = Field(default=0.0, ge=0, description="per tumour-associated MDM into immune_suppression, a.u.·µm³/s")


class Crowding(StrictModel):
    """A tumour-associated TRM with more than ``threshold`` tumour cells
    within ``radius`` moves at ``speed`` away from their centroid instead of
    chemotaxing (MDMs are never pushed: they infiltrate)."""

    radius: Length = Field(default=20.0, gt=0)
    threshold: int = Field(default=12, ge=0)
    speed: Speed = Field(default=10.0 / DAY, ge=0, description="outward drift, µm/s (~10 um/d: a ~150 um lesion radius in ~2 weeks)")


class AlveolarMacrophages(StrictModel):
    """TRMs (``trm`` pool: resident → tumour_associated on contact → rim when
    crowding pushes them outward) and MDMs (``mdm`` pool: recruited →
    tumour_associated). Both chemotax up ``tumour_signal`` at
    ``chemotactic_speed · |∇S| / (|∇S| + gradient_half_saturation)`` plus a
    random walk of diffusivity motility_speed² · persistence_time / 3.
    TRMs stay in AIR voxels; MDMs in AIR, SEPTUM and POST voxels."""

    per_alveolus: float = Field(ge=0, description="TRMs per alveolus: count = per_alveolus · AIR volume / (π/6 · d_alv³)")
    radius: Length = Field(default=6.0, gt=0, description="cell radius, µm (documentation and lesion measurements)")
    motility_speed: Speed = Field(default=0.8 / 60.0, ge=0, description="random-motility speed, µm/s")
    persistence_time: Time = Field(default=300.0, gt=0, description="persistence of the random walk, s")
    cross_septa: bool = Field(default=False, description="TRMs may also move through SEPTUM and POST voxels from one alveolus to the next "
                              "(standing for the pores of Kohn); false keeps each TRM in the airspace of its alveolus")
    chemotactic_speed: Speed = Field(default=0.8 / 60.0, ge=0, description="maximal chemotactic speed, µm/s")
    gradient_half_saturation: Gradient = Field(default=1e-3, gt=0, description="|∇tumour_signal| at half speed, a.u./µm")
    contact_distance: Length = Field(default=12.0, gt=0, description="centre-to-centre distance of TRM/MDM–tumour contact, µm")
    search_radius: Length = Field(default=150.0, gt=0, description="farthest tumour cell for nearest_tumour_um, µm")
    emt_factor_secretion: VolumeRate = Field(default=0.0, ge=0, description="per tumour-associated TRM into emt_factor, a.u.·µm³/s")
    immune_suppression_secretion: VolumeRate = Field(default=0.0, ge=0, description="per tumour-associated TRM into immune_suppression, a.u.·µm³/s")
    crowding: Crowding = Field(default_factory=Crowding)
    depletion: Depletion | None = None
    mdm: MdmRecruitment | None = None

    @model_validator(mode="after")
    def _check(self):
        if self.contact_distance > self.search_radius:
            raise ValueError(f"contact_distance ({self.contact_distance} um) exceeds search_radius ({self.search_radius} um)")
        return self

    @property
    def diffusivity(self) -> float:
        """Random-motility diffusivity, µm²/s: v² τ / 3 (persistent random walk in 3-D)."""
        return self.motility_speed**2 * self.persistence_time / 3.0


SECTIONS = (Section("alveolar_macrophages", AlveolarMacrophages),)  # TRMs and MDMs
