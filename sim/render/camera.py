"""Camera presets: where the camera sits for a frame, given the domain and
the region to frame (the clot's bounding box when there is one)."""

from __future__ import annotations

import numpy as np

PRESETS = ("clot", "iso", "top", "side", "orbit")
VIEW_ANGLE_DEG = 30.0  # VTK's default vertical view angle

_DIRECTIONS = {"iso": (1.0, -1.4, 0.9), "top": (0.0, 0.0, 1.0), "side": (0.0, -1.0, 0.15)}


def focus_box(domain_um: np.ndarray, clot_box: tuple[np.ndarray, np.ndarray] | None, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """The box ``(lo [3], hi [3])`` (µm) a clot view frames: the clot's box
    grown by a margin (at least 20 % of the domain's largest edge, so the
    tissue around a small clot shows), or the whole domain without a clot."""
    if clot_box is None:
        return np.zeros(3), np.asarray(domain_um, dtype=np.float64)
    lo, hi = (np.asarray(b, dtype=np.float64) for b in clot_box)
    margin = max(0.2 * float(np.max(domain_um)), 4.0 * spacing)
    return np.maximum(lo - margin, 0.0), np.minimum(hi + margin, domain_um)


def camera_position(preset: str, domain_um: np.ndarray, box: tuple[np.ndarray, np.ndarray],
                    frame: int = 0, n_frames: int = 1, aspect: float = 16 / 9):
    """``(position, focal point, view up)`` in µm for ``preset`` framing ``box``;
    ``orbit`` turns once around the box's vertical axis over ``n_frames``.
    ``clot`` and ``orbit`` look at ``box`` from the ``iso`` direction; ``iso``,
    ``top`` and ``side`` frame the whole domain."""
    if preset not in PRESETS:
        raise ValueError(f"unknown camera preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if preset in ("iso", "top", "side"):
        box = (np.zeros(3), np.asarray(domain_um, dtype=np.float64))
    lo, hi = box
    centre = (lo + hi) / 2.0
    direction = np.asarray(_DIRECTIONS.get(preset, _DIRECTIONS["iso"]))
    if preset == "orbit":
        angle = 2.0 * np.pi * frame / max(n_frames, 1)
        c, s = np.cos(angle), np.sin(angle)
        direction = np.array([c * direction[0] - s * direction[1], s * direction[0] + c * direction[1], direction[2]])
    direction = direction / np.linalg.norm(direction)
    radius = 0.5 * float(np.linalg.norm(hi - lo))
    half = np.radians(VIEW_ANGLE_DEG) / 2.0
    distance = 1.05 * radius / np.sin(half) / (min(aspect, 1.0) ** 0.5)
    up = (0.0, 1.0, 0.0) if preset == "top" else (0.0, 0.0, 1.0)
    return tuple(centre + distance * direction), tuple(centre), up
