"""Quantity strings with units (``"2.5 um"``, ``"14 d"``, ``"100 pg/mL"``) and
their conversion to alveosim's canonical units.

Canonical units inside the code (DESIGN §2): length µm, time s, chemokine
concentration pM, antibody concentration nM. pint does the parsing and the
dimension check; it is imported on first use because it is slow to import.
"""

from __future__ import annotations

from functools import lru_cache


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
    try:
        q = ureg.Quantity(text.strip().replace("µ", "u"))
    except Exception as exc:  # pint raises several unrelated types
        raise UnitError(f"cannot parse quantity {text!r}: {exc}") from None
    if not hasattr(q, "dimensionality"):
        q = ureg.Quantity(float(q), "dimensionless")
    if q.dimensionality != target.dimensionality and molar_mass_g_per_mol is not None:
        molar = q / ureg.Quantity(molar_mass_g_per_mol, "g/mol")
        if molar.dimensionality == target.dimensionality:
            q = molar
    if q.dimensionality != target.dimensionality:
        raise UnitError(
            f"expected units of {canonical or 'dimensionless'} ({target.dimensionality}), "
            f"got {text!r} ({q.dimensionality})"
        )
    return float(q.to(target.units).magnitude)
