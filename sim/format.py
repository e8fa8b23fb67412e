"""Human-readable formatting of simulated times and sizes."""


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


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:,.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n} B"
