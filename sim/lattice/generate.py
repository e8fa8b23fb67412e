"""Generate the lung lattice on the device: jittered Voronoi seeds, then one
rule per voxel (kernels.rules.lattice) on the chosen backend."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from alveosim.streams import Stream

# Septal volume per alveolus ~ SEPTAL_AREA_FACTOR * spacing^2 * septal thickness
# (Voronoi faces of a jittered cubic seed grid, each shared by two cells);
# measured for jitter 0.6 (tests/test_lattice.py checks the resulting diameter).
SEPTAL_AREA_FACTOR = 2.9


@dataclass
class Lattice:
    """A generated lattice on the device.

    labels: uint8 [nx, ny, nz] (sim.labels values); owner: int32 [nx, ny, nz],
    index of each voxel's nearest seed (its alveolus); seeds: float64
    [n_seeds, 3] µm; seed_dims: seed-grid shape; spacing: seed spacing µm.
    """

    labels: object
    owner: object
    seeds: object
    seed_dims: tuple[int, int, int]
    spacing: float


def seed_spacing(alveolar_diameter: float, septal_thickness: float) -> float:
    """Seed spacing a (µm) whose Voronoi cells hold an airspace of equivalent
    diameter D: a^3 - k a^2 t = pi D^3 / 6, solved by fixed-point iteration."""
    target = math.pi * alveolar_diameter**3 / 6.0
    a = target ** (1.0 / 3.0)
    for _ in range(50):
        a = (target + SEPTAL_AREA_FACTOR * a * a * septal_thickness) ** (1.0 / 3.0)
    return a


def generate(backend, shape, voxel: float, cfg, seed: int) -> Lattice:
    """Build the lattice of ``shape`` voxels of edge ``voxel`` µm from the
    ``lattice`` config section ``cfg`` and the run's ``seed`` (deterministic:
    the same seed gives the same lattice on every backend)."""
    k = backend.kernels("lattice")
    spacing = seed_spacing(cfg.alveolar_diameter, cfg.septal_thickness)
    size = np.asarray(shape, dtype=np.float64) * voxel
    # one margin cell of seeds on every side so boundary voxels see all their neighbours
    gdims = np.ceil(size / spacing).astype(np.int64) + 2
    origin = np.full(3, -spacing, dtype=np.float64)
    n_seeds = int(np.prod(gdims))
    xp = backend.xp
    seeds = xp.zeros((n_seeds, 3), dtype=np.float64)
    gdims_d = backend.asarray(gdims)
    origin_d = backend.asarray(origin)
    k.place_seeds(n_seeds, gdims_d, origin_d, spacing, cfg.jitter, int(seed), int(Stream.LATTICE_SEEDS), seeds)
    n = int(np.prod(shape))
    labels = xp.zeros(n, dtype=np.uint8)
    owner = xp.zeros(n, dtype=np.int32)
    k.label_voxels(
        n, backend.asarray(np.asarray(shape, dtype=np.int64)), float(voxel), seeds, gdims_d, origin_d, spacing,
        0.5 * cfg.septal_thickness, 0.5 * cfg.capillary_thickness, cfg.post_spacing, cfg.post_radius,
        cfg.flow.axis_index, labels, owner,
    )
    return Lattice(labels.reshape(shape), owner.reshape(shape), seeds, tuple(int(g) for g in gdims), spacing)
