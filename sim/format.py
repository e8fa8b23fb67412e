"""Human-readable formatting of simulated times."""


def format_seconds(seconds: float) -> str:
    """``93784.0`` -> ``'1d 2h 3m 4s'``; sub-second times in ms."""
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    s = int(round(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size:
            parts.append(f"{s // size}{unit}")
            s %= size
    if s or not parts:
        parts.append(f"{s}s")
    return " ".join(parts)
