"""The root config model and the core sections (run, domain, phases, output).

Feature sections (lattice, flow, fields, biology) live beside the feature's
code and are attached here as one field each.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from alveosim.alveolar.config import AlveolarMacrophages
from alveosim.biology_config import Antibody, Macrophages, PrimaryTumour, SevPool
from alveosim.blood.config import BloodConfig, BloodWindows
from alveosim.ctc.config import CtcConfig
from alveosim.config.types import Diffusivity, Length, Rate, StrictModel, Time
from alveosim.fields.config import FieldsSection, PlasmaCompartment
from alveosim.lattice.config import LatticeConfig
from alveosim.lesion_config import LesionsConfig
from alveosim.schedule import Schedule, steps_per_phase
from alveosim.tumour.config import Tumour


class Domain(StrictModel):
    """The simulated box. ``size`` in µm (x, y, z); ``voxel`` edge in µm."""

    size: list[Length] = Field(min_length=3, max_length=3)
    voxel: Length = Field(default=2.5, gt=0)

    @model_validator(mode="after")
    def _check(self):
        for axis, length in zip("xyz", self.size):
            if length < self.voxel:
                raise ValueError(f"size along {axis} ({length} um) is smaller than one voxel ({self.voxel} um)")
        return self

    @property
    def shape(self) -> tuple[int, int, int]:
        """Voxels per axis (nx, ny, nz)."""
        return tuple(max(1, int(round(s / self.voxel))) for s in self.size)


class Phase(StrictModel):
    """One stretch of a run on one clock."""

    name: str = Field(min_length=1)
    clock: Literal["tissue", "blood"]
    duration: Time = Field(gt=0)
    dt: Time = Field(gt=0)
    blood_windows: BloodWindows | None = None  # tissue phases only: short blood flow every so often (sim/blood/windows.py)

    @model_validator(mode="after")
    def _check(self):
        if self.dt > self.duration:
            raise ValueError(f"dt ({self.dt} s) is longer than the phase ({self.duration} s)")
        w = self.blood_windows
        if w is not None:
            if self.clock != "tissue":
                raise ValueError(f"blood_windows belong in a tissue phase; phase {self.name!r} runs on the {self.clock} clock")
            n = round(w.every / self.dt)
            if n < 1 or abs(w.every - n * self.dt) > 1e-9 * w.every:
                raise ValueError(f"blood_windows.every ({w.every:g} s) is not a whole number of the phase's dt ({self.dt:g} s)")
        return self

    @property
    def n_steps(self) -> int:
        """Steps in this phase (duration / dt, rounded to the nearest whole step, at least 1)."""
        return max(1, int(round(self.duration / self.dt)))


class Output(StrictModel):
    """Where and how often a run writes."""

    dir: str = "runs"
    timeseries_every: Schedule = Field(default=10, description="between time-series rows: steps, a time, or per phase/clock (sim/schedule.py)")
    progress: bool = True
    checkpoint_every: Schedule = Field(default=None, description="between checkpoints: steps, a time, or per phase/clock; one is always written at the end")
    checkpoint_keep: int = Field(default=3, ge=1, description="checkpoints kept in RUN_DIR/checkpoints (the newest)")
    snapshot_every: Schedule = Field(default=None, description="between VTKHDF snapshots: steps, a time, or per phase/clock; null: no snapshots")
    snapshot_max_agents: int | None = Field(default=None, ge=1, description="per species; larger pools are subsampled evenly in snapshots (never in checkpoints)")
    snapshot_field_stride: int = Field(default=1, ge=1, description="snapshots keep every n-th voxel per axis (the centre of each n^3 block); checkpoints keep all")


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


class Config(StrictModel):
    """A whole alveosim run, validated before anything runs."""

    name: str = "run"
    seed: int = Field(default=0, ge=0, lt=2**63)
    backend: Literal["cpu", "cuda", "auto"] = "auto"
    domain: Domain
    species: SpeciesSection = Field(default_factory=SpeciesSection)
    lattice: LatticeConfig | None = None  # lung geometry and capillary flow (sim/lattice/config.py)
    macrophages: Macrophages | None = None  # interstitial macrophages (sim/biology_config.py)
    primary_tumour: PrimaryTumour | None = None
    sev_pool: SevPool | None = None
    antibody: Antibody | None = None
    blood: BloodConfig | None = None  # sEVs, platelets, clots (sim/blood/config.py)
    ctc: CtcConfig | None = None  # circulating tumour cells (sim/ctc/config.py)
    fields: FieldsSection | None = None  # reaction-diffusion fields (sim/fields/config.py)
    tumour: Tumour | None = None  # tumour cells (sim/tumour/config.py)
    alveolar_macrophages: AlveolarMacrophages | None = None  # TRMs and MDMs (sim/alveolar/config.py)
    lesions: LesionsConfig | None = None  # lesion measurements, defaults when absent (sim/lesion_config.py)
    plasma: dict[str, PlasmaCompartment] = Field(default_factory=dict)  # systemic compartments
    phases: list[Phase] = Field(min_length=1)
    output: Output = Field(default_factory=Output)

    _source: str = PrivateAttr(default="<config>")
    _given: dict | None = PrivateAttr(default=None)  # the data as loaded (overrides applied), for display

    @model_validator(mode="after")
    def _unique_phase_names(self):
        names = [p.name for p in self.phases]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"phase names must be unique; repeated: {sorted(dup)}")
        return self

    @model_validator(mode="after")
    def _schedules_fit_phases(self):
        """Each output schedule is a whole number of steps in every phase."""
        from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

        errors = []
        for key in ("timeseries_every", "checkpoint_every", "snapshot_every"):
            value = getattr(self.output, key)
            try:
                steps_per_phase(value, self.phases)
            except ValueError as exc:
                errors.append(InitErrorDetails(type=PydanticCustomError("schedule", "{message}", {"message": str(exc)}), loc=("output", key), input=value))
        if errors:
            raise ValidationError.from_exception_data("Config", errors)
        return self
