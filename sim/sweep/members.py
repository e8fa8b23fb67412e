"""Members of a sweep: one config per design point and seed, each validated
by the config loader (with the same ``--set`` machinery as ``alveosim run``)
before anything runs."""

from __future__ import annotations

from dataclasses import dataclass

from alveosim.config import ConfigError, config_hash, load_config
from alveosim.sweep.sampling import design_points, split_quantity
from alveosim.sweep.spec import SweepFile, override


@dataclass
class Member:
    """One run of a sweep.

    ``params`` maps each varied key to its value as written (quantity
    string, number or text); ``overrides`` are the ``key=value`` strings that
    turn the base config into this member's config (common ``set`` first,
    then the varied keys, then the seed); ``error`` is set when the member's
    config does not validate."""

    index: int
    point: int
    seed: int
    params: dict
    overrides: list[str]
    config_hash: str = ""
    error: str = ""

    @property
    def id(self) -> str:
        return f"m{self.index:04d}"

    def numeric_params(self) -> dict:
        """Varied values as numbers in the unit written (text stays text)."""
        out = {}
        for key, value in self.params.items():
            q = split_quantity(value)
            out[key] = q[0] if q is not None else str(value)
        return out


def build_members(sweep: SweepFile, extra_overrides: list[str] = ()) -> list[Member]:
    """Every member of the sweep, each with its config hash, or its problems
    (naming the sweep file's line of the offending key) in ``error``.
    ``extra_overrides`` (e.g. ``backend=cpu``) apply to every member last but
    before the seed."""
    spec = sweep.spec
    common = [override(k, v) for k, v in spec.set.items()] + list(extra_overrides)
    try:
        points = design_points(spec)
    except ValueError as exc:
        raise ConfigError(str(sweep.path), [f"{sweep.where(('sample',))} {exc}"]) from None
    members = []
    for p, point in enumerate(points):
        for seed in spec.seed_list:
            overrides = common + [override(k, v) for k, v in point.items()] + [f"seed={seed}"]
            member = Member(index=len(members), point=p, seed=seed, params=point, overrides=overrides)
            try:
                member.config_hash = config_hash(load_config(sweep.base, overrides))
            except ConfigError as exc:
                member.error = "; ".join(_locate(sweep, point, problem) for problem in exc.problems)
            members.append(member)
    return members


def _locate(sweep: SweepFile, point: dict, problem: str) -> str:
    """Replace a problem's ``--set KEY`` origin by the sweep file's line of KEY
    (its value's line in a grid or zip list, its range in a sample)."""
    if not problem.startswith("--set "):
        return problem
    key, rest = problem.removeprefix("--set ").split(" ", 1)
    spec = sweep.spec
    if key in spec.grid:
        loc = ("grid", key, _index_of(spec.grid[key], point[key]))
    elif key in spec.zip:
        loc = ("zip", key, _index_of(spec.zip[key], point[key]))
    elif spec.sample is not None and key in spec.sample.ranges:
        loc = ("sample", "ranges", key)
    elif key in spec.set:
        loc = ("set", key)
    else:
        return problem
    value = f" (value {point[key]})" if key in point else ""
    return f"{sweep.where(loc)} {rest}{value}"


def _index_of(values: list, value) -> int:
    return next(i for i, v in enumerate(values) if v == value)
