"""Algebraic multigrid preconditioner for the capillary pressure solve.

The pressure equation on the m conducting voxels (numbered as in
``alveosim.kernels.rules.flow``: ``nbr`` int32 [m, 6], ``fixed`` uint8 [m]) is
reduced to its free rows (not inlet or outlet): A_ff x_f = b_f, with A_ff the
unit-conductance graph Laplacian whose diagonal counts every conducting
neighbour (Dirichlet neighbours included), so A_ff is symmetric positive
definite on every component that reaches an inlet. Smoothed aggregation
(:func:`smoothed_aggregation`, pyamg's pieces) builds the hierarchy from A_ff
on the host, in float64 (the pressure differences across one voxel are
~1e-3 of the drop, and float32 coarse-grid corrections would stall CG near
the 1e-10 tolerance), every level in CSR.

One V-cycle is M⁻¹ in :func:`alveosim.cg.pcg`, which keeps the matrix-free
operator: z_f = V(r_f), z = 0 on fixed rows. On the CPU the cycle is pyamg's
(one symmetric Gauss-Seidel sweep before and after the coarse correction,
pyamg's compiled CSR sweep: on BSR levels of block size 1 the same sweep
took twice as long); on CUDA :class:`DeviceVCycle` applies the
same level matrices as ``cupyx.scipy.sparse`` CSR matrices with damped
Jacobi smoothing (Gauss-Seidel is sequential) and a dense coarsest inverse.
The set-up is deterministic (pyamg's random start vectors come from a
seeded generator). Host set-up and cycles run with one BLAS thread: OpenBLAS threads spinning
against Numba's on a few cores made the set-up four times slower.

After an occlusion the conducting set shrinks. The hierarchy of the larger
set stays a valid symmetric positive preconditioner for the smaller one
(residuals are embedded into the old free rows, corrections read back), so
:class:`Multigrid.reusable_for` lets the solver skip a rebuild while only a
small share of the free rows has gone.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

# Rebuild the hierarchy once more than this share of its free rows has left
# the conducting set (below it, a reused hierarchy costs a few CG iterations).
REUSE_MAX_LOSS = 0.02
# Coarsest level size solved directly (dense inverse), unknowns.
MAX_COARSE = 400
MAX_LEVELS = 10
# pre- and post-smoother: one symmetric Gauss-Seidel sweep each (pyamg's default, on CSR levels)
SMOOTHER = (("gauss_seidel", {"sweep": "symmetric"}), ("gauss_seidel", {"sweep": "symmetric"}))


def reduced_matrix(nbr: np.ndarray, fixed: np.ndarray):
    """A_ff (scipy CSR float64 [f, f]) and free (int64 [f], row numbers of
    the free voxels among the m conducting ones) from host ``nbr`` (int32
    [m, 6]) and ``fixed`` (uint8 [m]). Columns come out sorted because
    conducting voxels are numbered in C order: faces -x, -y, -z precede the
    voxel, +z, +y, +x follow it."""
    import scipy.sparse as sp

    m = nbr.shape[0]
    free = np.flatnonzero(fixed == 0)
    f = free.shape[0]
    number = np.full(m + 1, -1, dtype=np.int32)  # last slot: "no neighbour" (-1)
    number[free] = np.arange(f, dtype=np.int32)
    rows = nbr[free]
    cols = number[rows]  # int32 [f, 6]: free numbering, -1 = absent or fixed
    ordered = np.empty((f, 7), dtype=np.int32)  # -x, -y, -z, the voxel, +z, +y, +x
    ordered[:, 0:3] = cols[:, 0:6:2]
    ordered[:, 3] = np.arange(f, dtype=np.int32)
    ordered[:, 4:7] = cols[:, 5::-2]
    values = np.full((f, 7), -1.0)
    values[:, 3] = np.count_nonzero(rows >= 0, axis=1)
    keep = ordered >= 0
    indptr = np.zeros(f + 1, dtype=np.int32 if 7 * f < 2**31 else np.int64)
    np.cumsum(np.count_nonzero(keep, axis=1), out=indptr[1:])
    return sp.csr_matrix((values[keep], ordered[keep], indptr), shape=(f, f)), free


class Multigrid:
    """An AMG hierarchy for the free rows of one conducting set.

    backend: the run's backend; cells: host int64 [m] flat voxel indices of
    the conducting voxels it was built for; nbr, fixed: host arrays as in
    :func:`reduced_matrix`. ``setup_seconds`` is the hierarchy build time.
    """

    def __init__(self, backend, cells: np.ndarray, nbr: np.ndarray, fixed: np.ndarray):
        import time

        t0 = time.perf_counter()
        self.backend = backend
        self.cells = cells
        matrix, free = reduced_matrix(nbr, fixed)
        self.free_voxels = cells[free]  # flat voxel index of each free row, ascending
        with one_blas_thread(), fixed_global_random():
            self.hierarchy = smoothed_aggregation(matrix)
            if backend.xp is np:
                self._cycle = _host_cycle(self.hierarchy.aspreconditioner(cycle="V"))
            else:
                self._cycle = DeviceVCycle(backend.xp, backend.scipy("sparse"), self.hierarchy)
        self.setup_seconds = time.perf_counter() - t0

    @property
    def levels(self) -> int:
        return len(self.hierarchy.levels)

    def reusable_for(self, cells: np.ndarray) -> bool:
        """Whether this hierarchy may precondition the conducting set ``cells``
        (host int64 [m'], ascending): a subset that lost at most
        REUSE_MAX_LOSS of the free rows."""
        if not (1.0 - REUSE_MAX_LOSS) * self.cells.shape[0] <= cells.shape[0] <= self.cells.shape[0]:
            return False
        at = np.minimum(np.searchsorted(self.cells, cells), self.cells.shape[0] - 1)
        return bool((self.cells[at] == cells).all())

    def preconditioner(self, cells: np.ndarray, fixed):
        """precondition(r, z) for :func:`alveosim.cg.pcg` on the conducting set
        ``cells`` (host int64 [m']; this hierarchy's own or one it is
        reusable for); fixed: device uint8 [m'] (z = 0 there)."""
        xp = self.backend.xp
        fixed_h = self.backend.to_host(fixed)
        rows_h = np.flatnonzero(fixed_h == 0)
        slots_h = np.searchsorted(self.free_voxels, cells[rows_h])  # their rows in the hierarchy
        rows = self.backend.asarray(rows_h)
        slots = self.backend.asarray(slots_h)
        f = self.free_voxels.shape[0]
        cycle = self._cycle

        def precondition(r, z):
            rf = xp.zeros(f, dtype=np.float64)
            rf[slots] = r[rows]
            z[...] = 0.0
            z[rows] = cycle(rf)[slots]

        return precondition


def smoothed_aggregation(matrix):
    """A pyamg MultilevelSolver of smoothed aggregation for the graph
    Laplacian ``matrix`` (scipy CSR float64 [f, f]), every level's A, P and
    R in CSR, with symmetric Gauss-Seidel smoothing.

    Per level: every off-diagonal connection is strong; pyamg's standard
    aggregation groups the unknowns; the tentative prolongator T holds the
    candidate (the constant on the finest level, the Laplacian's near-null
    space; its aggregate norms on coarser ones) normalised on each aggregate;
    one damped Jacobi step smooths it, P = T - (4/3) / rho D⁻¹A T; the coarse
    matrix is R A P with R = Pᵀ. This is pyamg's default smoothed
    aggregation but for the candidate improvement (measured without effect
    here) and rho on the finest level: the Gershgorin bound
    max_i sum_j |a_ij| / a_ii (2 for this Laplacian; pyamg's Krylov
    estimate gives 1.995 at 128³) instead of the estimate, which cost half
    the set-up; the coarser levels, ~6 times smaller each, keep the estimate.
    """
    import scipy.sparse as sp
    from pyamg.aggregation.aggregate import standard_aggregation
    from pyamg.multilevel import MultilevelSolver
    from pyamg.relaxation.smoothing import change_smoothers
    from pyamg.util.linalg import approximate_spectral_radius

    levels = []
    a = matrix.tocsr()
    candidate = np.ones(a.shape[0])
    while a.shape[0] > MAX_COARSE and len(levels) < MAX_LEVELS - 1:
        strong = (a - sp.diags(a.diagonal())).tocsr()
        strong.eliminate_zeros()
        aggregates, _ = standard_aggregation(strong)  # CSR [n, n_agg] of ones; isolated rows stay out
        members = aggregates.indices
        norm = np.sqrt(np.bincount(members, weights=candidate[members] ** 2, minlength=aggregates.shape[1]))
        tentative = sp.csr_matrix((candidate[members] / norm[members], members, aggregates.indptr), shape=aggregates.shape)
        d_inv_a = (sp.diags(1.0 / a.diagonal()) @ a).tocsr()
        rho = approximate_spectral_radius(d_inv_a) if levels else float(abs(d_inv_a).sum(axis=1).max())
        p = (tentative - (4.0 / (3.0 * rho)) * (d_inv_a @ tentative)).tocsr()
        r = p.T.tocsr()
        level = MultilevelSolver.Level()
        level.A, level.P, level.R = a, p, r
        levels.append(level)
        a = (r @ a @ p).tocsr()
        candidate = norm
    coarsest = MultilevelSolver.Level()
    coarsest.A = a
    levels.append(coarsest)
    hierarchy = MultilevelSolver(levels, coarse_solver="pinv")
    change_smoothers(hierarchy, *SMOOTHER)
    return hierarchy


@contextmanager
def fixed_global_random():
    """Seed NumPy's global generator (pyamg's spectral-radius estimates draw
    from it) for a deterministic hierarchy, and restore its state after."""
    saved = np.random.get_state()
    np.random.seed(0)
    try:
        yield
    finally:
        np.random.set_state(saved)


def one_blas_thread():
    """Context limiting BLAS to one thread (threadpoolctl)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _host_cycle(operator):
    """pyamg's V-cycle ``operator`` (a LinearOperator) run with one BLAS thread."""

    def cycle(b):
        with one_blas_thread():
            return operator @ b

    return cycle


class DeviceVCycle:
    """One V(1,1)-cycle of a pyamg hierarchy on any (xp, sparse) pair
    (cupy with cupyx.scipy.sparse on a GPU; numpy with scipy.sparse in tests).

    Smoothing is damped Jacobi, weight 4 / (3 rho(D⁻¹A)) per level, once
    before and once after the coarse correction, which keeps the cycle a
    symmetric positive preconditioner; the coarsest level is solved by its
    dense pseudo-inverse. Level matrices are float64.
    """

    def __init__(self, xp, sparse, hierarchy):
        from pyamg.util.linalg import approximate_spectral_radius

        self.xp = xp
        self.levels = []
        for level in hierarchy.levels[:-1]:
            a = level.A.tocsr()
            inv_d = 1.0 / a.diagonal()
            omega = 4.0 / (3.0 * approximate_spectral_radius(a.multiply(inv_d[:, None]).tocsr()))
            self.levels.append((sparse.csr_matrix(a), sparse.csr_matrix(level.P.tocsr()),
                                sparse.csr_matrix(level.R.tocsr()), xp.asarray(omega * inv_d)))
        coarse = hierarchy.levels[-1].A.toarray()
        self.coarse_inverse = xp.asarray(np.linalg.pinv(coarse, hermitian=True))

    def __call__(self, b):
        """x ≈ A⁻¹ b (b: xp float64 [n0])."""
        return self._cycle(0, b)

    def _cycle(self, i: int, b):
        if i == len(self.levels):
            return self.coarse_inverse @ b
        a, p, r, weight = self.levels[i]
        x = weight * b
        x += p @ self._cycle(i + 1, r @ (b - a @ x))
        x += weight * (b - a @ x)
        return x
