"""TRM placement on the alveolar surface: distinct AIR voxels that touch
SEPTUM, uniform inside each voxel, deterministic in the seed."""

from __future__ import annotations

import math

import numpy as np

from alveosim.labels import AIR, SEPTUM
from alveosim.streams import Stream


def trm_count(labels: np.ndarray, voxel_um: float, per_alveolus: float, alveolar_diameter_um: float) -> int:
    """round(per_alveolus · AIR volume / (π/6 · d_alv³)): TRMs for the lattice's
    airspace (labels host uint8 [nx, ny, nz], lengths in µm)."""
    air_volume = float((labels == AIR).sum()) * voxel_um**3
    return int(round(per_alveolus * air_volume / (math.pi / 6.0 * alveolar_diameter_um**3)))


def surface_voxels(labels: np.ndarray) -> np.ndarray:
    """Flat C-order indices (int64, ascending) of AIR voxels with a SEPTUM face neighbour."""
    air = labels == AIR
    septum = labels == SEPTUM
    touch = np.zeros_like(air)
    for axis in range(3):
        for shift in (1, -1):
            rolled = np.roll(septum, shift, axis=axis)
            edge = [slice(None)] * 3
            edge[axis] = 0 if shift == 1 else -1
            rolled[tuple(edge)] = False  # no wrap-around
            touch |= rolled
    return np.flatnonzero((air & touch).ravel())


def surface_positions(labels: np.ndarray, voxel_um: float, count: int, seed: int) -> np.ndarray:
    """``count`` positions ([m, 3] float32 µm, m = min(count, surface voxels))
    in distinct alveolar-surface voxels, uniform inside each."""
    cand = surface_voxels(labels)
    m = min(int(count), cand.size)
    rng = np.random.default_rng([seed, int(Stream.TRM_PLACEMENT)])
    chosen = np.sort(rng.choice(cand, size=m, replace=False))
    ijk = np.stack(np.unravel_index(chosen, labels.shape), axis=1).astype(np.float64)
    return ((ijk + rng.random((m, 3))) * voxel_um).astype(np.float32)
