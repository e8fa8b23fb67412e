"""The ``tumour:`` config section: tumour cells of early lung tumours and lung
metastases.

Every dimensional number is a quantity string converted to canonical units
(µm, s, 1/s, µm²/s, pM·µm³/s, a.u.·µm³/s). Fields it reads or writes are
declared by the scenario in ``fields.named``: ``tumour_signal`` (a.u., written
when present), ``emt_factor`` (a.u., required when ``emt_rate > 0``),
``immune_suppression`` (a.u., required when ``death_rate`` and
``max_suppression`` are > 0) and ``cxcl13`` (pM, required when
``cxcl13_secretion > 0``).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from alveosim.config.sections import Section
from alveosim.config.types import ChemokineAmountRate, Length, Rate, Speed, StrictModel, Time, VolumeRate


class Seeding(StrictModel):
    """How and when tumour cells appear.

    ``foci``: ``count`` foci centred in AIR voxels that touch SEPTUM (the
    alveolar wall; any AIR voxel in a box without a lattice), each of ``cells_per_focus`` cells on a cubic lattice of
    spacing 2·radius (no overlap) at the lattice points nearest the centre,
    within ``focus_radius``. ``capillary``: ``count`` single cells in distinct
    AIR or SEPTUM voxels that touch a blood voxel (arrival from the blood).
    Seeding happens in the tissue step that holds ``time``.
    """

    mode: Literal["foci", "capillary"] = "foci"
    time: Time = Field(default=0.0, ge=0, description="s from the start of the run")
    count: int = Field(ge=0, le=1_000_000, description="foci (mode foci) or single cells (mode capillary)")
    cells_per_focus: int = Field(default=1, ge=1, le=1_000_000)
    focus_radius: Length = Field(default=50.0, gt=0, description="µm; the farthest a seeded cell sits from its focus centre")


class Mechanics(StrictModel):
    """Overdamped centre-based repulsion, relaxed in Jacobi sweeps each
    tissue step: each sweep moves a cell by ``stiffness`` times the sum over
    overlapping neighbours of half the overlap along the centre line, capped
    at ``max_displacement``. After ``min_sweeps`` sweeps the relaxation stops
    at the first positions whose largest overlap (as a fraction of the
    smaller radius) is at most ``tolerance``, or after ``max_sweeps``. The
    sweeps read agents sorted by cell from a cell list rebuilt only when some
    cell has moved more than half the ``skin`` since its last build."""

    stiffness: float = Field(default=0.8, gt=0, le=1, description="fraction of each half-overlap removed per sweep")
    min_sweeps: int = Field(default=0, ge=0, le=1000, description="sweeps before the overlap is tested")
    max_sweeps: int = Field(default=60, ge=1, le=1000, description="most sweeps per tissue step")
    max_displacement: Length = Field(default=2.0, gt=0, description="µm per sweep")
    tolerance: float = Field(default=0.1, gt=0, lt=1, description="allowed pair overlap / smaller radius")
    skin: Length | None = Field(default=None, ge=0, description="µm of cell-list slack beyond the largest contact distance "
                                "(rebuilt after half of it); default: the cell radius")

    @model_validator(mode="after")
    def _check(self):
        if self.min_sweeps > self.max_sweeps:
            raise ValueError(f"mechanics: min_sweeps ({self.min_sweeps}) exceeds max_sweeps ({self.max_sweeps})")
        return self


class Tumour(StrictModel):
    """Tumour cells: radius, cell cycle and division, death lowered by immune
    suppression, ``epithelial → emt`` switching, EMT motility, repulsion
    mechanics, secretion and seeding."""

    radius: Length = Field(default=5.0, gt=0, description="µm, radius of a cell at division (volume V = 4/3 π r³)")
    doubling_time: Time = Field(gt=0, description="mean cell-cycle time (s)")
    doubling_time_cv: float = Field(default=0.15, ge=0, le=2, description="coefficient of variation of the (log-normal) cycle time")
    crowding_limit: int = Field(default=16, ge=0, description="no growth with more than this many neighbours within crowding_distance")
    crowding_distance: Length | None = Field(default=None, gt=0, description="µm between centres; default 2.4 · radius")
    death_rate: Rate = Field(default=0.0, ge=0, description="k_death (1/s) without suppression")
    max_suppression: float = Field(default=0.0, ge=0, le=1, description="s_max: largest fractional reduction of death by immune_suppression")
    suppression_half_saturation: float = Field(default=1.0, gt=0, description="K_S (a.u.)")
    emt_rate: Rate = Field(default=0.0, ge=0, description="k_emt (1/s): EMT hazard at saturating emt_factor")
    emt_half_saturation: float = Field(default=1.0, gt=0, description="K_E (a.u.)")
    emt_contact_weight: float = Field(default=0.0, ge=0, description="w_contact: added to the EMT drive while a TRM touches the cell")
    emt_speed: Speed = Field(default=0.0, ge=0, description="mean speed of EMT cells (µm/s; e.g. '0.5 um/min')")
    emt_persistence: Time = Field(default=600.0, gt=0, description="persistence time of EMT motion (s); D = v² τ / 3")
    cxcl13_secretion: ChemokineAmountRate = Field(default=0.0, ge=0, description="per cell, pM·µm³/s (e.g. '20 molecule/s'); 0 = none")
    tumour_signal_secretion: VolumeRate = Field(default=1.0, ge=0, description="per cell, a.u.·µm³/s into tumour_signal (when declared)")
    capacity: int | None = Field(default=None, ge=1, description="initial pool rows (grows on demand)")
    seeding: Seeding
    mechanics: Mechanics = Field(default_factory=Mechanics)

    @model_validator(mode="after")
    def _check(self):
        if self.crowding_distance is not None and self.crowding_distance < 2.0 * self.min_radius:
            raise ValueError(f"crowding_distance ({self.crowding_distance} um) is below the contact distance of two newborn cells ({2 * self.min_radius:.3g} um)")
        return self

    @property
    def min_radius(self) -> float:
        """Radius of a newborn cell (half the volume at division), µm."""
        return self.radius * 0.5 ** (1.0 / 3.0)

    @property
    def crowding_um(self) -> float:
        """Centre distance within which neighbours count for crowding (µm)."""
        return self.crowding_distance if self.crowding_distance is not None else 2.4 * self.radius

    @property
    def division_volume(self) -> float:
        """V = 4/3 π r³ (µm³), the volume at which a cell divides."""
        return 4.0 / 3.0 * math.pi * self.radius**3

    @property
    def emt_diffusivity(self) -> float:
        """Effective diffusivity of EMT cells, v² τ / 3 (µm²/s)."""
        return self.emt_speed**2 * self.emt_persistence / 3.0


SECTIONS = (Section("tumour", Tumour),)
