"""Design points of a sweep: grids, zipped lists and sampled ranges.

Samplers come from SALib (Latin hypercube, Sobol/Saltelli, Morris) and
NumPy (uniform random); each samples the magnitudes of a range in the unit
of its low end, so a point's values are quantity strings again.
"""

from __future__ import annotations

import itertools

import numpy as np

from alveosim.units import registry


def split_quantity(value) -> tuple[float, str] | None:
    """``"0.05 pM/s"`` → ``(0.05, "pM/s")``; a bare number → ``(x, "")``;
    anything else (text, lists, booleans) → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value), ""
    if not isinstance(value, str):
        return None
    try:
        q = registry().Quantity(value.strip().replace("µ", "u"))
    except Exception:  # pint raises several unrelated types
        return None
    if not hasattr(q, "magnitude"):
        return float(q), ""
    unit = value.strip().split(None, 1)[1] if len(value.split()) > 1 else ""
    return float(q.magnitude), unit


def _range_bounds(key: str, ends: list, ordered: bool = True) -> tuple[float, float, str]:
    """(first, second, unit) of a range, the second in the first's unit;
    with ``ordered`` the second (high end) must exceed the first."""
    low, high = split_quantity(ends[0]), split_quantity(ends[1])
    if low is None or high is None:
        raise ValueError(f"sample.ranges.{key}: both values must be numbers or quantities, got {ends}")
    if low[1] == high[1]:
        hi = high[0]
    else:
        try:
            hi = registry().Quantity(str(ends[1]).replace("µ", "u")).to(low[1]).magnitude
        except Exception as exc:
            raise ValueError(f"sample.ranges.{key}: {ends[1]!r} is not in units of {low[1]!r}: {exc}") from None
    if ordered and not hi > low[0]:
        raise ValueError(f"sample.ranges.{key}: the high end must exceed the low end, got {ends}")
    if not ordered and not hi > 0:
        raise ValueError(f"sample.ranges.{key}: the SD must be positive, got {ends}")
    return low[0], float(hi), low[1]


def _lognormal(key: str, ends: list) -> tuple[float, float, str]:
    """(ln median, sigma, unit) of a log-normal range ``[median, sigma]``
    (sigma: the SD of the natural log, a bare number)."""
    median = split_quantity(ends[0])
    if median is None or median[0] <= 0 or isinstance(ends[1], (bool, str)) or not float(ends[1]) > 0:
        raise ValueError(f"sample.ranges.{key}: a lognorm range is [median, sigma] (median > 0, sigma a positive number), got {ends}")
    return float(np.log(median[0])), float(ends[1]), median[1]


def problem(sample) -> dict:
    """The SALib problem dict of a sample spec (bounds in sampled space: log10
    for ``log_keys``), plus ``units`` per key."""
    names, bounds, units, dists = [], [], [], []
    for key, ends in sample.ranges.items():
        dist = sample.distributions.get(key, "unif")
        if dist == "lognorm":
            low, high, unit = _lognormal(key, ends)
        else:
            low, high, unit = _range_bounds(key, ends, ordered=dist == "unif")
        if key in sample.log_keys:
            if low <= 0:
                raise ValueError(f"sample.ranges.{key}: a log range needs a positive low end")
            low, high = np.log10(low), np.log10(high)
        names.append(key)
        bounds.append([low, high])
        units.append(unit)
        dists.append(dist)
    return {"num_vars": len(names), "names": names, "bounds": bounds, "units": units, "dists": dists}


def salib(prob: dict) -> dict:
    """The SALib problem of :func:`problem` (without units)."""
    return {k: prob[k] for k in ("num_vars", "names", "bounds", "dists")}


def sample_matrix(sample) -> np.ndarray:
    """Sampled magnitudes, shape (points, keys), in each range's unit."""
    prob = problem(sample)
    salib_problem = salib(prob)
    if sample.method == "random":
        from SALib.util import scale_samples

        rng = np.random.default_rng(sample.seed)
        x = scale_samples(rng.random((sample.n, prob["num_vars"])), salib_problem)
    elif sample.method == "lhs":
        from SALib.sample import latin

        x = latin.sample(salib_problem, sample.n, seed=sample.seed)
    elif sample.method == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(salib_problem, sample.n, calc_second_order=False, seed=sample.seed)
    else:
        from SALib.sample import morris

        x = morris.sample(salib_problem, sample.n, num_levels=sample.levels, seed=sample.seed)
    for j, key in enumerate(prob["names"]):
        if key in sample.log_keys:
            x[:, j] = 10.0 ** x[:, j]
    return x


def design_points(spec) -> list[dict]:
    """Every design point as ``{key: value}`` (values as the sweep file writes
    them: quantity strings, numbers, text): the grid's full factorial × the
    zipped lists × the sampled points, in that nesting order."""
    grid_keys = list(spec.grid)
    grid = [dict(zip(grid_keys, combo)) for combo in itertools.product(*spec.grid.values())] or [{}]
    zipped = [dict(zip(spec.zip, values)) for values in zip(*spec.zip.values())] or [{}]
    sampled = [{}]
    if spec.sample is not None:
        prob = problem(spec.sample)
        sampled = [{key: (f"{x:.10g} {unit}".strip() if unit else float(x))
                    for key, x, unit in zip(prob["names"], row, prob["units"])}
                   for row in sample_matrix(spec.sample)]
    return [{**g, **z, **s} for g in grid for z in zipped for s in sampled]
