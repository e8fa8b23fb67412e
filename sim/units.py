"""Quantity strings with units (``"2.5 um"``, ``"14 d"``, ``"100 pg/mL"``) and
their conversion to alveosim's canonical units.

Canonical units inside the code: length µm, time s, chemokine
concentration pM, antibody concentration nM. pint does the parsing and the
dimension check; it is imported on first use because it is slow to import.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

# A quantity string: a decimal number (at most a three-digit exponent), then a
# unit expression of names, "*", "/", parentheses and small integer powers.
_NUMBER = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?)(?![\d.,eE])\s*(.*?)\s*$", re.S)
_POWER = re.compile(r"(?<=[A-Za-z_)])\s*(?:\^|\*\*)\s*(\(\s*-?\d+\s*\)|-?\d+)")
_UNIT_TEXT = re.compile(r"^(?:1(?=\s*/))?[A-Za-z_ ./*()]*$")
MAX_POWER = 6
# Units that take SI prefixes ("um", "ms", "pM", "mPa", "kDa", "uL"); others
# ("day", "hour", "minute") do not, so "dday" is an error, not a deci-day.
PREFIXABLE = frozenset({"meter", "second", "liter", "gram", "mole", "molar", "pascal", "dalton", "particle"})


class UnitError(ValueError):
    """A quantity string that does not parse or has the wrong dimension."""


@lru_cache(maxsize=1)
def registry():
    """The shared pint UnitRegistry (created once, lazily)."""
    import pint

    return pint.UnitRegistry()


def parse(text: str | int | float, canonical: str, molar_mass_g_per_mol: float | None = None) -> float:
    """Convert ``text`` (e.g. ``"50 um^2/s"``) to a float in ``canonical`` units.

    Plain numbers are accepted only when ``canonical`` is dimensionless ("" or
    "1"). A mass concentration (``pg/mL``) converts to a molar one when
    ``molar_mass_g_per_mol`` is given. Raises :class:`UnitError` with a message
    that says what was expected.
    """
    ureg = registry()
    target = ureg.Quantity(1.0, canonical or "dimensionless")
    if isinstance(text, bool):
        raise UnitError(f"expected a quantity in units of {canonical!r}, got a boolean")
    if isinstance(text, (int, float)):
        if target.dimensionless:
            return float(text)
        raise UnitError(
            f"expected a quantity with a unit compatible with {canonical!r} (e.g. '{text} {canonical}'), got a bare number {text}"
        )
    if not isinstance(text, str):
        raise UnitError(f"expected a quantity string such as '1 {canonical}', got {type(text).__name__}")
    q = _quantity(ureg, text)
    if q.dimensionality != target.dimensionality and molar_mass_g_per_mol is not None:
        molar = q / ureg.Quantity(molar_mass_g_per_mol, "g/mol")
        if molar.dimensionality == target.dimensionality:
            q = molar
    if q.dimensionality != target.dimensionality:
        raise UnitError(
            f"expected units of {canonical or 'dimensionless'} ({target.dimensionality}), "
            f"got {text!r} ({q.dimensionality})"
        )
    value = float(q.to(target.units).magnitude)
    if not math.isfinite(value):
        raise UnitError(f"{text!r} is not a finite quantity in {canonical or 'dimensionless'}")
    return value


def _quantity(ureg, text: str):
    """Parse ``text`` with pint after checking its shape, so that nothing pint
    would evaluate slowly or read surprisingly ("9**9**9 um", "2,5 um",
    "1 dday") reaches it."""
    cleaned = text.replace("µ", "u").replace("μ", "u")
    m = _NUMBER.fullmatch(cleaned)
    if m is None or len(cleaned) > 200:
        raise UnitError(f"cannot parse quantity {text!r}: expected a decimal number and a unit, e.g. '2.5 um'")
    number, unit = m.group(1), m.group(2)
    for power in _POWER.findall(unit):
        if abs(int(power.strip("() "))) > MAX_POWER:
            raise UnitError(f"cannot parse quantity {text!r}: unit power {power} beyond ±{MAX_POWER}")
    if not _UNIT_TEXT.match(_POWER.sub("", unit)):
        raise UnitError(f"cannot parse quantity {text!r}: the unit {unit!r} may hold unit names, '*', '/', '(', ')' and powers only")
    if not math.isfinite(float(number)):
        raise UnitError(f"{text!r} is not a finite quantity")
    try:
        q = ureg.Quantity(float(number), ("1" + unit if unit.startswith("/") else unit) or "dimensionless")
    except Exception as exc:  # pint raises several unrelated types
        raise UnitError(f"cannot parse quantity {text!r}: {exc}") from None
    for name in q._units:
        prefix, base, _ = ureg.parse_unit_name(name)[0]
        if prefix and base not in PREFIXABLE:
            raise UnitError(f"cannot parse quantity {text!r}: prefix {prefix!r} on {base!r} is not accepted (write the unit itself)")
    return q
