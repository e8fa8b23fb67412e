"""Diffusion solvers for one field on the lattice: implicit LOD (one Thomas
solve per line and axis; unconditionally stable, first order in time) and
an explicit 7-point stencil sub-stepped to stay stable. Both keep the
domain boundary and faces with zero face diffusivity (air) closed, and hold
Dirichlet labels at the given value."""

from __future__ import annotations

import math

import numpy as np

EXPLICIT_SAFETY = 0.9  # dt_sub <= 0.9 · h² / (6 · D_max)


def face_table(label_diffusivity: np.ndarray) -> np.ndarray:
    """Face diffusivity (µm²/s) between every pair of labels: the harmonic
    mean of the two voxels' diffusivities, 0 when either is 0.
    label_diffusivity: [n_labels] µm²/s -> [n_labels, n_labels] float32."""
    d = np.asarray(label_diffusivity, dtype=np.float64)
    a, b = np.meshgrid(d, d, indexing="ij")
    s = a + b
    g = np.where(s > 0, 2.0 * a * b / np.where(s > 0, s, 1.0), 0.0)
    return g.astype(np.float32)


class Grid:
    """The lattice the solvers work on: shape (nx, ny, nz), voxel edge h (µm),
    labels [nx, ny, nz] uint8 on the device (``flat_labels`` its flat view),
    and scratch [nx, ny, nz] float32 for one field."""

    def __init__(self, backend, shape, h: float, labels):
        self.backend = backend
        self.shape = tuple(int(s) for s in shape)
        self.h = float(h)
        self.n = int(np.prod(self.shape))
        self.labels = labels
        self.flat_labels = labels.reshape(-1)
        self.scratch = backend.xp.zeros(self.shape, dtype=np.float32)


class ImplicitLOD:
    """Implicit Euler split into x, y and z line solves (axes of length 1 are
    skipped, their line solve being the identity); float64 scratch cp, dp
    [nx*ny*nz] for the elimination."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.k = grid.backend.kernels("diffusion")
        xp = grid.backend.xp
        self.cp = xp.zeros(grid.n, dtype=np.float64)
        self.dp = xp.zeros(grid.n, dtype=np.float64)

    def diffuse(self, c, gtab, fixed, value: float, dt: float) -> None:
        """Advance the field c [nx, ny, nz] float32 by dt seconds in place."""
        g = self.grid
        nx, ny, nz = g.shape
        r = float(dt / (g.h * g.h))
        flat = c.reshape(-1)
        lines = (ny * nz, nx * nz, nx * ny)
        for axis in range(3):
            if g.shape[axis] > 1:
                self.k.lod_sweep(lines[axis], flat, self.cp, self.dp, g.flat_labels, gtab, fixed, float(value), r, axis, nx, ny, nz)


class ExplicitStencil:
    """Forward Euler 7-point stencil, double-buffered, with an even number of
    sub-steps (so the result lands back in the field) of at most
    0.9·h²/(6·D_max). Each step sets the Dirichlet voxels to their value and
    builds the sub-step's coefficient table r·gtab with the Dirichlet rows
    zeroed (so those voxels keep the value through the sub-steps)."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.k = grid.backend.kernels("diffusion")
        self.flat_scratch = grid.scratch.reshape(-1)

    @staticmethod
    def substeps(dt: float, h: float, d_max: float) -> int:
        """Sub-steps for a step of dt seconds: even, each <= the stable limit
        (2 without diffusion)."""
        if d_max <= 0:
            return 2
        n = math.ceil(dt / (EXPLICIT_SAFETY * h * h / (6.0 * d_max)))
        return n + (n % 2)

    @staticmethod
    def coefficients(gtab, fixed, r: float):
        """The stencil's flat table [n_labels²] float32: r·gtab (r = dt_sub/h²,
        s/µm²) with the rows of Dirichlet labels (fixed [n_labels] uint8) zeroed."""
        free = (fixed == 0).astype(np.float32)
        return (gtab * np.float32(r) * free[:, None]).reshape(-1)

    def diffuse(self, c, gtab, fixed, value: float, dt: float, d_max: float) -> None:
        """Advance the field c [nx, ny, nz] float32 by dt seconds in place;
        d_max is the largest face diffusivity of gtab (µm²/s)."""
        g = self.grid
        nx, ny, nz = g.shape
        n_sub = self.substeps(dt, g.h, d_max)
        coef = self.coefficients(gtab, fixed, (dt / n_sub) / (g.h * g.h))
        nl = np.int32(gtab.shape[0])
        flat = c.reshape(-1)
        self.k.dirichlet(g.n, flat, g.flat_labels, fixed, np.float32(value))
        src, dst = flat, self.flat_scratch
        for _ in range(n_sub):
            self.k.stencil_step(g.n, src, dst, g.flat_labels, coef, nl, nx, ny, nz)
            src, dst = dst, src
