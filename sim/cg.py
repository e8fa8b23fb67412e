"""Preconditioned conjugate gradient, matrix-free, on the device's array
module (the operator and the preconditioner are callables)."""

from __future__ import annotations

import math

import numpy as np


def dot(xp, a, b):
    """a . b; on the CPU by NumPy's pairwise sum, not BLAS, whose threads
    would contend with Numba's on few cores."""
    if xp is np:
        return np.add.reduce(a * b)
    return xp.dot(a, b)


def jacobi(xp, inv_diag):
    """The preconditioner z = inv_diag · r (inv_diag: 1 / diag(A), 0 on rows
    held fixed, which keeps them fixed)."""

    def precondition(r, z):
        xp.multiply(inv_diag, r, out=z)

    return precondition


CHECK_EVERY = 8  # iterations between host reads of the residual norm on a GPU


def pcg(xp, apply, x, r, precondition, target: float, max_iterations: int, check_every: int = CHECK_EVERY) -> tuple[int, float]:
    """Improve ``x`` in place until ||r||_2 <= target or ``max_iterations``.

    apply(p, out): out = A p for the symmetric positive (semi)definite A.
    x: [m] start; r: [m] = b - A x on entry (overwritten); precondition(r, z):
    z = M⁻¹ r for a symmetric positive M⁻¹ that is 0 on rows held fixed
    (x, r and z share one float dtype). Returns (iterations, ||r||_2).

    The iteration itself never reads the device: the scalars stay 0-d device
    arrays, and a step with p·Ap <= 0 (converged to rounding, p = 0, or lost
    positivity) freezes x and r from there on (alpha = 0). The host reads one
    number every ``check_every`` iterations (and at the last): ||r||², or −1
    once frozen, which stops. x then equals the solve that stopped at the
    freeze; only the count of iterations can be up to check_every − 1 higher.
    """
    rnorm = math.sqrt(float(dot(xp, r, r)))
    if rnorm <= target:
        return 0, rnorm
    z = xp.empty_like(r)
    precondition(r, z)
    p = z.copy()
    q = xp.empty_like(r)
    rz = dot(xp, r, z)
    live = xp.asarray(True)
    it = 0
    while it < max_iterations:
        apply(p, q)
        pq = dot(xp, p, q)
        live = live & (pq > 0)
        alpha = xp.where(live, rz / xp.where(live, pq, 1.0), 0.0)
        x += alpha * p
        r -= alpha * q
        it += 1
        if it % check_every == 0 or it == max_iterations:
            rr = float(xp.where(live, dot(xp, r, r), -1.0))
            if rr < 0:
                break
            rnorm = math.sqrt(rr)
            if rnorm <= target:
                break
        precondition(r, z)
        rz_new = dot(xp, r, z)
        p *= xp.where(live, rz_new / xp.where(live, rz, 1.0), 0.0)
        p += z
        rz = rz_new
    return it, rnorm
