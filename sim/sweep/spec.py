"""Sweep files: a base config, what varies across members, seeds and outputs.

::

    name: sweep_quickstart
    base: quickstart.yaml             # the base config (relative to this file)
    set:                              # applied to every member, like --set
      phases.0.duration: 1 d
    grid:                             # full factorial over these keys
      primary_tumour.cxcl13_secretion: [0.02 pM/s, 0.05 pM/s, 0.105 pM/s]
    zip:                              # varied together (equal lengths)
      macrophages.shedding_rate: [1 /s, 2 /s]
    sample:                           # or: sampled points over ranges
      method: lhs                     # random | lhs | sobol | morris
      n: 8                            # points (random, lhs), base samples (sobol), trajectories (morris)
      seed: 0
      ranges:
        primary_tumour.cxcl13_secretion: [0.01 pM/s, 0.2 pM/s]
    seeds: [1, 2]                     # or a count: 3 means seeds 1, 2, 3
    outputs:
      columns: [plasma_cxcl13_pM, clot_volume_um3]   # time-series columns in the results table
      times: [12 h]                                    # also read at these simulated times

The sweep file is checked against this schema (pydantic) and every member's
config is validated with the config loader before anything runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from alveosim.config import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SampleSpec(_Strict):
    """Sampled points over ranges ``key: [low, high]`` (the high end converted
    to the low end's unit); ``log_keys`` are sampled uniformly in log space.
    ``distributions`` draws a key from ``norm`` (its range read as
    ``[mean, SD]``) or ``lognorm`` (``[median, sigma]``, sigma the SD of the
    natural log) instead — for virtual cohorts; not with Morris samples."""

    method: Literal["random", "lhs", "sobol", "morris"]
    n: int = Field(ge=1)
    seed: int = 0
    ranges: dict[str, list[Any]] = Field(min_length=1)
    log_keys: list[str] = []
    distributions: dict[str, Literal["norm", "lognorm"]] = {}
    levels: int = Field(default=4, ge=2, description="grid levels of a Morris sample")

    @field_validator("ranges")
    @classmethod
    def _two_ends(cls, ranges):
        for key, ends in ranges.items():
            if len(ends) != 2:
                raise ValueError(f"{key}: a range is [low, high]")
        return ranges

    @model_validator(mode="after")
    def _log_keys_are_ranges(self):
        unknown = [k for k in list(self.log_keys) + list(self.distributions) if k not in self.ranges]
        if unknown:
            raise ValueError(f"keys not among the ranges: {', '.join(unknown)}")
        both = [k for k in self.log_keys if k in self.distributions]
        if both:
            raise ValueError(f"keys both in log_keys and distributions: {', '.join(both)}")
        if self.distributions and self.method == "morris":
            raise ValueError("a Morris sample needs uniform ranges (no distributions)")
        return self


class OutputSpec(_Strict):
    columns: list[str] | Literal["all"] | None = None
    times: list[str] = []


class SweepSpec(_Strict):
    """A parsed sweep file (see the module docstring)."""

    name: str = Field(min_length=1)
    base: str
    set: dict[str, Any] = {}
    grid: dict[str, list[Any]] = {}
    zip: dict[str, list[Any]] = {}
    sample: SampleSpec | None = None
    seeds: list[int] | int = Field(default=[1])
    outputs: OutputSpec = OutputSpec()

    @model_validator(mode="after")
    def _check(self):
        for section in ("grid", "zip"):
            for key, values in getattr(self, section).items():
                if not values:
                    raise ValueError(f"{section}.{key}: give at least one value")
        lengths = {len(v) for v in self.zip.values()}
        if len(lengths) > 1:
            raise ValueError(f"zip: every list must have the same length (got {sorted(lengths)})")
        keys = list(self.grid) + list(self.zip) + (list(self.sample.ranges) if self.sample else [])
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"keys varied twice: {', '.join(repeated)}")
        if isinstance(self.seeds, int) and self.seeds < 1:
            raise ValueError("seeds: a count of at least 1, or a list of seeds")
        return self

    @property
    def seed_list(self) -> list[int]:
        return list(range(1, self.seeds + 1)) if isinstance(self.seeds, int) else list(self.seeds)

    @property
    def varied_keys(self) -> list[str]:
        return list(self.grid) + list(self.zip) + (list(self.sample.ranges) if self.sample else [])


class SweepFile:
    """A sweep file as read from disk: the spec, its path, the YAML line of
    each key path (for error messages) and the base config's absolute path."""

    def __init__(self, path: str | Path):
        from alveosim.config.yaml_reader import YamlError, decode, parse_yaml

        self.path = Path(path)
        source = str(path)
        try:
            self.text = decode(self.path.read_bytes(), source)
            data, self.lines = parse_yaml(self.text, source)
        except OSError as exc:
            raise ConfigError(source, [f"{source}: cannot read sweep file: {exc.strerror}"]) from None
        except YamlError as exc:
            raise ConfigError(source, [str(exc)]) from None
        if not isinstance(data, dict):
            raise ConfigError(source, [f"{source}: the top level must be a mapping of keys"])
        try:
            self.spec = SweepSpec.model_validate(data)
        except ValidationError as err:
            raise ConfigError(source, [f"{self.where(tuple(e['loc']))} {'.'.join(map(str, e['loc'])) or '(top level)'}: "
                                       f"{e['msg'].removeprefix('Value error, ')}" for e in err.errors()]) from None
        self.base = (self.path.parent / self.spec.base).resolve()

    def where(self, loc: tuple) -> str:
        """``FILE:LINE`` of the deepest key path of ``loc`` the file has."""
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.lines:
                return f"{self.path}:{self.lines[loc[:n]]}"
        return str(self.path)


def override(key: str, value) -> str:
    """``key=value`` for the config loader's ``--set`` machinery (the value as
    YAML flow text, so lists and quantity strings round-trip)."""
    return f"{key}={json.dumps(value)}"
