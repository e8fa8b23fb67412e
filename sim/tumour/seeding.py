"""Initial tumour cells: where foci or single arriving cells go, and the
cycle state of seeded cells. Runs once, on the host, deterministic in the
seed (stream ``TUMOUR_SEEDING``)."""

from __future__ import annotations

import math

import numpy as np

from alveosim.kernels.rules.tumour import EPITHELIAL
from alveosim.labels import AIR, BLOOD, SEPTUM
from alveosim.streams import Stream


def touching(labels: np.ndarray, own: tuple[int, ...], other: tuple[int, ...]) -> np.ndarray:
    """Flat C-order indices of voxels labelled in ``own`` that share a face
    with a voxel labelled in ``other`` (host uint8 labels [nx, ny, nz])."""
    near = np.zeros(labels.shape, dtype=bool)
    hit = np.isin(labels, other)
    for axis in range(3):
        for shift in (1, -1):
            moved = np.roll(hit, shift, axis=axis)
            edge = [slice(None)] * 3
            edge[axis] = 0 if shift == 1 else -1
            moved[tuple(edge)] = False  # no wrap-around
            near |= moved
    return np.flatnonzero((np.isin(labels, own) & near).ravel())


def lattice_offsets(spacing: float, reach: float) -> np.ndarray:
    """Points of a cubic lattice of ``spacing`` µm within ``reach`` µm of the
    origin, nearest first (ties in lexicographic order): [m, 3] float64 µm."""
    k = int(math.floor(reach / spacing))
    ax = np.arange(-k, k + 1, dtype=np.float64) * spacing
    pts = np.stack(np.meshgrid(ax, ax, ax, indexing="ij"), axis=-1).reshape(-1, 3)
    d2 = (pts**2).sum(axis=1)
    pts, d2 = pts[d2 <= reach * reach], d2[d2 <= reach * reach]
    order = np.lexsort((pts[:, 2], pts[:, 1], pts[:, 0], d2))
    return pts[order]


def focus_positions(labels: np.ndarray, h: float, count: int, cells_per_focus: int, focus_radius: float, radius: float, seed: int) -> np.ndarray:
    """Cells of ``count`` foci: centres in distinct AIR voxels touching SEPTUM
    (any AIR voxels when there is no SEPTUM, as in a plain box),
    each focus filling the AIR lattice points (spacing 2·radius, so no two
    cells of a focus overlap) nearest its centre within ``focus_radius``.
    Returns [count · cells_per_focus, 3] float32 µm. Raises ValueError when
    the lattice has too few wall voxels or a focus does not fit."""
    walls = touching(labels, (AIR,), (SEPTUM,))
    if not np.any(labels == SEPTUM):  # a plain box without a lattice: any AIR voxel
        walls = np.flatnonzero(labels.ravel() == AIR)
    if count > walls.size:
        raise ValueError(f"tumour.seeding: {count} foci but only {walls.size} AIR voxels next to SEPTUM")
    rng = np.random.default_rng([seed, int(Stream.TUMOUR_SEEDING)])
    centres = np.sort(rng.choice(walls, size=count, replace=False))
    centres = (np.stack(np.unravel_index(centres, labels.shape), axis=1) + 0.5) * h
    offsets = lattice_offsets(2.0 * radius, focus_radius)
    shape = np.array(labels.shape)
    out = []
    for centre in centres:
        pts = centre + offsets
        ijk = np.floor(pts / h).astype(np.int64)
        inside = np.all((ijk >= 0) & (ijk < shape), axis=1)
        pts, ijk = pts[inside], ijk[inside]
        pts = pts[labels[ijk[:, 0], ijk[:, 1], ijk[:, 2]] == AIR]
        if len(pts) < cells_per_focus:
            raise ValueError(
                f"tumour.seeding: a focus at {np.round(centre, 1).tolist()} um holds only {len(pts)} of "
                f"{cells_per_focus} cells within focus_radius {focus_radius} um of airspace; raise focus_radius"
            )
        out.append(pts[:cells_per_focus])
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 3), np.float32)


def arrival_positions(labels: np.ndarray, h: float, count: int, seed: int) -> np.ndarray:
    """``count`` single cells at the centres of distinct AIR or SEPTUM voxels
    that share a face with a blood voxel: [count, 3] float32 µm."""
    gates = touching(labels, (AIR, SEPTUM), BLOOD)
    if count > gates.size:
        raise ValueError(f"tumour.seeding: {count} arriving cells but only {gates.size} AIR/SEPTUM voxels next to blood")
    rng = np.random.default_rng([seed, int(Stream.TUMOUR_SEEDING)])
    chosen = np.sort(rng.choice(gates, size=count, replace=False))
    return ((np.stack(np.unravel_index(chosen, labels.shape), axis=1) + 0.5) * h).astype(np.float32)


def lognormal_sigma(cv: float) -> float:
    """Log-sd of a log-normal with coefficient of variation ``cv``."""
    return math.sqrt(math.log1p(cv * cv))


def seeded_cells(pos: np.ndarray, division_volume: float, mean_cycle: float, cv: float, seed: int, key: tuple[int, ...] = (int(Stream.TUMOUR_SEEDING), 1)) -> dict[str, np.ndarray]:
    """Host field arrays for new epithelial cells at ``pos`` ([m, 3] µm).

    Cycle phases follow the stable age distribution of an exponentially
    growing population, density 2 ln2 · 2^−a on [0, 1) (so an uncrowded
    population doubles in one cycle time from the start); volume V/2 · 2^a,
    radius from the volume; log-normal cycle times with mean ``mean_cycle``
    s and coefficient of variation ``cv``. The draws are keyed by
    ``(seed, *key)``: cells added later (metastatic foci) pass their own key."""
    m = len(pos)
    rng = np.random.default_rng([seed, *key])
    age = -np.log2(1.0 - 0.5 * rng.random(m))
    sigma = lognormal_sigma(cv)
    cycle_time = mean_cycle * np.exp(sigma * rng.standard_normal(m) - 0.5 * sigma * sigma)
    volume = 0.5 * division_volume * 2.0**age
    return {
        "pos": pos.astype(np.float32),
        "radius": (volume / (4.0 / 3.0 * math.pi)) ** (1.0 / 3.0),
        "volume": volume,
        "state": np.full(m, EPITHELIAL, dtype=np.uint8),
        "cycle": age,
        "cycle_time": cycle_time,
        "trm_contact": np.zeros(m, dtype=np.uint8),
        "lesion": np.full(m, -1, dtype=np.int64),
    }
