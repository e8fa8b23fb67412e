"""The root config model, assembled from the core sections (name, seed,
backend, domain, phases, output, extensions) and the sections the features
declare (:class:`alveosim.config.sections.Section`, in each feature package's
``config.SECTIONS``): :func:`config_model` builds it for the built-in features
of :data:`alveosim.model.FEATURES` and a config's ``extensions`` (feature
modules imported after the built-ins). ``Config`` is the model of the
built-ins; ``Config.model_validate`` validates a config naming extensions
with the model that includes their sections.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, PrivateAttr, create_model, model_serializer, model_validator

from alveosim.config.types import Length, StrictModel, Time
from alveosim.schedule import Schedule, steps_per_phase

# The root keys in the order a resolved config lists them (and validates
# them); sections not named here follow in the order their features load.
KEY_ORDER = ("name", "seed", "backend", "domain", "lattice", "macrophages", "primary_tumour", "sev_pool", "antibody",
             "blood", "fields", "tumour", "alveolar_macrophages", "lesions", "plasma", "phases", "output")


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


class BloodWindows(StrictModel):
    """Short stretches of blood flow inside a tissue phase: every ``every``
    of tissue time, ``duration / dt`` blood steps on the current tissue state
    (sim/blood/windows.py)."""

    every: Time = Field(gt=0, description="tissue time between windows; a whole number of the phase's dt")
    duration: Time = Field(gt=0, description="blood flow per window")
    dt: Time = Field(gt=0, description="blood step; divides the duration")

    @model_validator(mode="after")
    def _check(self):
        n = round(self.duration / self.dt)
        if n < 1 or abs(self.duration - n * self.dt) > 1e-9 * self.duration:
            raise ValueError(f"a window's dt ({self.dt:g} s) must divide its duration ({self.duration:g} s)")
        return self

    @property
    def n_steps(self) -> int:
        """Blood steps per window."""
        return int(round(self.duration / self.dt))


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


class ConfigBase(StrictModel):
    """A whole alveosim run, validated before anything runs: the checks of the
    root; :func:`config_model` adds the fields."""

    @classmethod
    def model_validate(cls, obj, *args, **kwargs):
        """Validate with the model that has the sections of ``obj``'s
        ``extensions`` (an extension that cannot load is reported by the
        ``extensions`` field itself)."""
        names = obj.get("extensions") if isinstance(obj, dict) else None
        if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
            try:
                model = config_model(tuple(names))
            except (ImportError, ValueError):
                model = cls
            if model is not cls:
                return model.model_validate(obj, *args, **kwargs)
        return super().model_validate(obj, *args, **kwargs)

    @model_serializer(mode="wrap")
    def _without_empty_extensions(self, handler):
        data = handler(self)
        if not data.get("extensions"):
            data.pop("extensions", None)  # configs without extensions resolve (and hash) as before extensions existed
        return data

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


def _extension(name: str) -> str:
    """Check that ``name`` is an importable feature module whose config
    sections do not reuse a key of the built-in config."""
    from alveosim.model import module_sections

    try:
        module = import_module(name)
    except ImportError as exc:
        raise ValueError(f"cannot import the extension {name!r} ({exc})") from None
    if not (callable(getattr(module, "initialize", None)) and callable(getattr(module, "operations", None))):
        raise ValueError(f"{name!r} is not a feature module (it needs initialize(sim) and operations(sim))")
    taken = [s.key for s in module_sections(name) if s.key in config_model().model_fields]
    if taken:
        raise ValueError(f"the extension {name!r} declares the config key {taken[0]!r}, which the config already has")
    return name


@lru_cache(maxsize=None)
def config_model(extensions: tuple[str, ...] = ()) -> type[ConfigBase]:
    """The root model with the sections of the built-in features and of the
    feature modules ``extensions`` (module names, e.g.
    ``alveosim.examples.walker.feature``)."""
    from alveosim.model import config_sections

    fields = {
        "name": (str, "run"),
        "seed": (int, Field(default=0, ge=0, lt=2**63)),
        "backend": (Literal["cpu", "cuda", "auto"], "auto"),
        "domain": (Domain, ...),
        "phases": (list[Phase], Field(min_length=1)),
        "output": (Output, Field(default_factory=Output)),
    }
    for section in config_sections(extensions):
        if section.key in fields:
            raise ValueError(f"config key {section.key!r} is declared by two features")
        fields[section.key] = section.field()
    fields["extensions"] = (
        list[Annotated[str, AfterValidator(_extension)]],
        Field(default_factory=list, description="feature modules loaded after the built-in ones, each adding its config sections and operations"),
    )
    rank = {key: i for i, key in enumerate(KEY_ORDER)}
    ordered = {key: fields[key] for key in sorted(fields, key=lambda k: rank.get(k, len(rank)))}
    return create_model("Config", __base__=ConfigBase, __module__=__name__, **ordered)


Config = config_model()
