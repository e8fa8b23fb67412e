"""Jacobi-preconditioned conjugate gradient, matrix-free, on the device's
array module (float64 vectors; the operator is a launcher)."""

from __future__ import annotations

import math

import numpy as np


def _dot(xp, a, b):
    """a . b; on the CPU by NumPy's pairwise sum, not BLAS, whose threads
    would contend with Numba's on few cores."""
    if xp is np:
        return np.add.reduce(a * b)
    return xp.dot(a, b)


def pcg(xp, apply, x, r, inv_diag, target: float, max_iterations: int, check_every: int = 8) -> tuple[int, float]:
    """Improve ``x`` in place until ||r||_2 <= target or ``max_iterations``.

    apply(p, out): out = A p for the symmetric positive (semi)definite A.
    x: float64 [m] start; r: float64 [m] = b - A x on entry (overwritten);
    inv_diag: float64 [m], 1 / diag(A) (0 on rows held fixed, which keeps them
    fixed). The residual norm is read on the host every ``check_every``
    iterations (one small transfer). Returns (iterations, ||r||_2).
    """
    rnorm = math.sqrt(float(_dot(xp, r, r)))
    if rnorm <= target:
        return 0, rnorm
    z = inv_diag * r
    p = z.copy()
    q = xp.empty_like(r)
    rz = _dot(xp, r, z)
    it = 0
    while it < max_iterations:
        apply(p, q)
        alpha = rz / _dot(xp, p, q)
        x += alpha * p
        r -= alpha * q
        it += 1
        if it % check_every == 0 or it == max_iterations:
            rnorm = math.sqrt(float(_dot(xp, r, r)))
            if rnorm <= target:
                break
        xp.multiply(inv_diag, r, out=z)
        rz_new = _dot(xp, r, z)
        p *= rz_new / rz
        p += z
        rz = rz_new
    return it, rnorm
