"""Camera presets: where the camera sits for a frame, given the domain and
the region to frame (around the largest clot when there is one). Cameras use
parallel projection, so one scale bar holds across the whole frame."""

from __future__ import annotations

import numpy as np

PRESETS = ("clot", "iso", "top", "side", "orbit")
FILL = 0.9  # fraction of the scene's width or height the framed box fills

_DIRECTIONS = {"iso": (1.0, -1.4, 0.9), "top": (0.0, 0.0, 1.0), "side": (0.0, -1.0, 0.15)}


def focus_box(domain_um: np.ndarray, clot_box: tuple[np.ndarray, np.ndarray] | None, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """The box ``(lo [3], hi [3])`` (µm) a clot view frames: the clot's box
    grown on every side by its own largest edge (at least 6 voxels, so the
    capillary around a small clot shows) and cut to the domain, or the whole
    domain without a clot."""
    if clot_box is None:
        return np.zeros(3), np.asarray(domain_um, dtype=np.float64)
    lo, hi = (np.asarray(b, dtype=np.float64) for b in clot_box)
    margin = max(float(np.max(hi - lo)), 6.0 * spacing)
    return np.maximum(lo - margin, 0.0), np.minimum(hi + margin, domain_um)


def view_direction(preset: str, frame: int = 0, n_frames: int = 1) -> np.ndarray:
    """Unit vector ``[3]`` from the focal point towards the camera."""
    if preset not in PRESETS:
        raise ValueError(f"unknown camera preset {preset!r}; choose one of {', '.join(PRESETS)}")
    direction = np.asarray(_DIRECTIONS.get(preset, _DIRECTIONS["iso"]), dtype=np.float64)
    if preset == "orbit":
        angle = 2.0 * np.pi * frame / max(n_frames, 1)
        c, s = np.cos(angle), np.sin(angle)
        direction = np.array([c * direction[0] - s * direction[1], s * direction[0] + c * direction[1], direction[2]])
    return direction / np.linalg.norm(direction)


def camera_position(preset: str, domain_um: np.ndarray, box: tuple[np.ndarray, np.ndarray],
                    frame: int = 0, n_frames: int = 1, aspect: float = 16 / 9):
    """``(position, focal point, view up)`` in µm for ``preset`` framing ``box``
    (``aspect``: width / height of the scene); ``orbit`` turns once around the
    box's vertical axis over ``n_frames``. ``clot`` and ``orbit`` look at
    ``box`` from the ``iso`` direction; ``iso``, ``top`` and ``side`` frame the
    whole domain. The camera sits outside the domain (parallel projection:
    its distance does not change the picture)."""
    direction = view_direction(preset, frame, n_frames)
    if preset in ("iso", "top", "side"):
        box = (np.zeros(3), np.asarray(domain_um, dtype=np.float64))
    lo, hi = box
    centre = (lo + hi) / 2.0
    distance = 2.0 * float(np.linalg.norm(np.asarray(domain_um, dtype=np.float64))) + 1.0
    up = (0.0, 1.0, 0.0) if preset == "top" else (0.0, 0.0, 1.0)
    return tuple(centre + distance * direction), tuple(centre), up


def parallel_scale(box: tuple[np.ndarray, np.ndarray], position, focal_point, up, aspect: float) -> float:
    """Half the visible height (µm) that shows all of ``box`` with a margin,
    for a parallel camera at ``position`` looking at ``focal_point``."""
    lo, hi = (np.asarray(b, dtype=np.float64) for b in box)
    forward = np.asarray(focal_point, dtype=np.float64) - np.asarray(position, dtype=np.float64)
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, np.asarray(up, dtype=np.float64))
    right /= np.linalg.norm(right)
    true_up = np.cross(right, forward)
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    rel = corners - np.asarray(focal_point, dtype=np.float64)
    half_w = float(np.max(np.abs(rel @ right)))
    half_h = float(np.max(np.abs(rel @ true_up)))
    return max(half_h, half_w / aspect) / FILL


def nice_length(target: float) -> float:
    """The largest of 1, 2, 5 × 10^k (µm) not above ``target`` (> 0)."""
    power = 10.0 ** np.floor(np.log10(target))
    return float(max(m * power for m in (1.0, 2.0, 5.0) if m * power <= target * (1 + 1e-12)))
