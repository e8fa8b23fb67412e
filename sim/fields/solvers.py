"""Diffusion solvers for one field on the lattice: implicit LOD (one Thomas
solve per line and axis; unconditionally stable, first order in time), the
unsplit implicit Euler step solved by conjugate gradients (reaction and
diffusion in one solve, so its steady state is the exact discrete one at any
dt) and an explicit 7-point stencil sub-stepped to stay stable. All keep the
domain boundary and faces with zero face diffusivity (air) closed, and hold
Dirichlet labels at the given value."""

from __future__ import annotations

import math

import numpy as np

from alveosim.cg import CHECK_EVERY, dot, jacobi, pcg

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


def face_sums(xp, labels, gtab):
    """Σ over the six faces of each voxel of the face diffusivity (µm²/s; a
    face on the domain boundary counts 0): float32 [nx, ny, nz] from labels
    uint8 [nx, ny, nz] and gtab [n_labels, n_labels] (device arrays)."""
    out = xp.zeros(labels.shape, dtype=np.float32)
    for axis in range(3):
        n = labels.shape[axis]
        if n < 2:
            continue
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[axis] = slice(0, n - 1)
        hi[axis] = slice(1, n)
        g = gtab[labels[tuple(lo)], labels[tuple(hi)]]
        out[tuple(lo)] += g
        out[tuple(hi)] += g
    return out


def neumann_eigenvalues(xp, shape, h: float):
    """Eigenvalues (1/µm²) of −∇² discretised by the 7-point stencil with
    no-flux boundaries on a cell-centred grid, in the DCT-II basis:
    Σ over axes of (2 − 2cos(πk/n))/h², float64 [nx, ny, nz]."""
    out = xp.zeros(shape, dtype=np.float64)
    for axis, n in enumerate(shape):
        k = xp.arange(n, dtype=np.float64)
        lam = (2.0 - 2.0 * xp.cos(math.pi * k / n)) / (h * h)
        view = [1, 1, 1]
        view[axis] = n
        out += lam.reshape(view)
    return out


class SpectralPreconditioner:
    """M⁻¹ for ImplicitCG: on the voxels coupled to a neighbour, the inverse
    of the constant-coefficient operator a − dt·D_ref·∇² with no-flux walls,
    applied exactly by an orthonormal DCT-II (scipy.fft / cupyx.scipy.fft);
    on free voxels with no open face, 1/diag (they are decoupled); 0 on
    Dirichlet voxels. Symmetric positive definite, and the exact inverse
    when one diffusivity fills the domain and the reaction is uniform, so CG
    then converges in one iteration; with mixed diffusivities it takes the
    smooth error that Jacobi leaves to CG. D_ref is the mean of the coupled
    voxels' face diffusivities, a the mean of their diagonal."""

    def __init__(self, backend, shape, h: float):
        self.fft = backend.scipy("fft")
        self.xp = backend.xp
        self.shape = shape
        self.axes = [axis for axis, n in enumerate(shape) if n > 1]
        self.eigenvalues = neumann_eigenvalues(backend.xp, shape, h)

    def build(self, free, sums, diag, dt: float):
        """The preconditioner(r, z) of one solve (r, z float64 [n]): free
        bool [n], sums float32 [n] (face_sums), diag float64 [n] (1 + dt·K)."""
        xp = self.xp
        coupled = free & (sums > 0)
        n_coupled = int(xp.count_nonzero(coupled))
        inv_diag = xp.where(free, 1.0 / diag, 0.0)
        if n_coupled == 0:
            return jacobi(xp, inv_diag)
        d_ref = float(sums[coupled].sum(dtype=np.float64)) / (6.0 * n_coupled)
        a = float(diag[coupled].sum(dtype=np.float64)) / n_coupled
        inv_symbol = 1.0 / (a + dt * d_ref * self.eigenvalues)
        fft = self.fft

        def precondition(r, z):
            y = xp.where(coupled, r, 0.0).reshape(self.shape)
            for axis in self.axes:
                y = fft.dct(y, type=2, axis=axis, norm="ortho")
            y *= inv_symbol
            for axis in self.axes:
                y = fft.idct(y, type=2, axis=axis, norm="ortho")
            z[...] = xp.where(coupled, y.reshape(-1), inv_diag * r)

        return precondition


class ImplicitCG:
    """Implicit Euler without splitting: solves

        (1 + dt·K) c′ − dt·∇·(D∇c′) = c + dt·S

    for the free voxels (K: decay plus uptake, 1/s; S: sources, unit/s;
    Dirichlet voxels held at their value) by conjugate gradients with the
    SpectralPreconditioner, warm-started from c, to a residual of
    ``tolerance`` times the norm of the right-hand side (including what the
    Dirichlet voxels feed in). Reaction and diffusion
    are one operator, so a step of any dt keeps a source's near field
    (S/(4πDr) close in) and the fixed point is the exact discrete steady
    state: at tissue steps much longer than the fields' half-lives this is
    the quasi-steady field, where LOD splitting smears each step's secretion
    along the whole sweep length √(D·dt). The operator is the explicit
    stencil with the coefficient table −dt·gtab/h², applied to float64
    vectors: in float32 the recursively updated residual drifts from the
    true one by ~eps·κ, which loses mass at mixed labels. ``iterations``
    holds the last solve's count."""

    def __init__(self, grid: Grid, tolerance: float, max_iterations: int):
        self.grid = grid
        self.k = grid.backend.kernels("diffusion")
        self.tolerance = float(tolerance)
        self.max_iterations = int(max_iterations)
        self.residual = grid.backend.xp.zeros(grid.n, dtype=np.float64)
        self.spectral = SpectralPreconditioner(grid.backend, grid.shape, grid.h)
        self.iterations = 0
        self._face_sums: dict[int, object] = {}

    def solve(self, c, gtab, fixed, value: float, dt: float, rhs, diag) -> int:
        """Replace c [nx, ny, nz] float32 by the step's solution in place.
        rhs: float64 [n] = c + dt·S (overwritten); diag: float64 [n] = 1 +
        dt·K (overwritten). Returns the iterations taken."""
        g = self.grid
        xp = g.backend.xp
        nx, ny, nz = g.shape
        flat = c.reshape(-1)
        free = fixed[g.flat_labels] == 0
        self.k.dirichlet(g.n, flat, g.flat_labels, fixed, np.float32(value))
        diag[~free] = 1.0
        rhs[~free] = 0.0
        coef = ExplicitStencil.coefficients(gtab, fixed, -dt / (g.h * g.h))
        nl = np.int32(gtab.shape[0])
        extra = diag - 1.0
        key = id(gtab)
        if key not in self._face_sums:
            self._face_sums[key] = face_sums(xp, g.labels, gtab).reshape(-1)
        precondition = self.spectral.build(free, self._face_sums[key], diag, dt)

        def apply(p, out):
            self.k.stencil_step(g.n, p, out, g.flat_labels, coef, nl, nx, ny, nz)
            out += extra * p

        r = self.residual
        x = flat.astype(np.float64)
        held = xp.where(free, 0.0, x)  # the Dirichlet values alone
        apply(held, r)
        xp.subtract(rhs, r, out=r)
        r[~free] = 0.0  # b: the right-hand side with the held voxels' inflow
        target = self.tolerance * max(math.sqrt(float(dot(xp, r, r))), 1e-30)
        apply(x, r)
        xp.subtract(rhs, r, out=r)
        r[~free] = 0.0
        # The host stops at the first converged iteration (reading a NumPy
        # scalar is free); a GPU reads the norm every CHECK_EVERY iterations.
        check_every = 1 if xp is np else CHECK_EVERY
        self.iterations, _ = pcg(xp, apply, x, r, precondition, target, self.max_iterations, check_every=check_every)
        flat[...] = x
        return self.iterations


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
