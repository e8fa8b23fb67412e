"""The geometry report of a lattice: alveolar diameters,
septal and capillary volume fractions, capillary share of the septum and
inlet-to-outlet connectivity. Set-up time only (small host transfers)."""

from __future__ import annotations

import math

import numpy as np

from alveosim import labels as L
from alveosim.lattice.connectivity import conducting_mask


def alveolar_diameters(backend, lattice, voxel: float) -> np.ndarray:
    """Equivalent-sphere diameters (µm, host float64 [n]) of the airspace of
    every alveolus (Voronoi cell) that does not touch the domain boundary;
    all alveoli when none is interior."""
    xp = backend.xp
    owner, labels = lattice.owner, lattice.labels
    n_seeds = int(lattice.seeds.shape[0])
    volume = backend.to_host(xp.bincount(owner[labels == L.AIR], minlength=n_seeds)).astype(np.float64)
    faces = [owner[0], owner[-1], owner[:, 0], owner[:, -1], owner[:, :, 0], owner[:, :, -1]]
    boundary = np.unique(np.concatenate([backend.to_host(f).ravel() for f in faces]))
    interior = volume > 0
    interior[boundary] = False
    chosen = volume[interior] if interior.any() else volume[volume > 0]
    return (6.0 * chosen * voxel**3 / math.pi) ** (1.0 / 3.0)


def geometry_report(backend, lattice, voxel: float) -> dict:
    """Named numbers describing ``lattice`` (a :class:`alveosim.lattice.generate.Lattice`).

    Fractions are of all voxels (``*_volume_fraction``) or of septal voxels
    (every non-AIR label; ``capillary_share_of_septum`` counts lumen, inlets
    and outlets, not posts); ``capillary_connected_fraction`` is the share of
    capillary lumen voxels in components that join an inlet to an outlet.
    """
    xp = backend.xp
    labels = lattice.labels
    counts = backend.to_host(xp.bincount(labels.reshape(-1), minlength=len(L.NAMES)))
    total = int(counts.sum())
    blood = int(sum(counts[b] for b in L.BLOOD))
    septal = total - int(counts[L.AIR])
    connected = int(backend.scalar(conducting_mask(backend, labels, xp.zeros_like(labels)).sum()))
    d = alveolar_diameters(backend, lattice, voxel)
    return {
        "voxels": total,
        "alveoli_measured": int(d.size),
        "alveolar_diameter_mean_um": float(d.mean()) if d.size else 0.0,
        "alveolar_diameter_sd_um": float(d.std()) if d.size else 0.0,
        "septal_volume_fraction": septal / total,
        "capillary_volume_fraction": blood / total,
        "capillary_share_of_septum": blood / septal if septal else 0.0,
        "post_share_of_septum": int(counts[L.POST]) / septal if septal else 0.0,
        "inlet_voxels": int(counts[L.INLET]),
        "outlet_voxels": int(counts[L.OUTLET]),
        "capillary_connected_fraction": connected / blood if blood else 0.0,
    }
