"""The preconditioned CG's host reads: on a device the iteration reads no
scalar back, only the residual norm every ``check_every`` iterations, and the
solution equals the host path's bit for bit."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from alveosim.cg import CHECK_EVERY, jacobi, pcg


class DeviceScalar(np.ndarray):
    """A 0-d array standing in for a device scalar: every conversion to a
    Python number or truth value is a device→host read, and is counted."""

    reads = 0

    def __float__(self):
        DeviceScalar.reads += 1
        return float(self.view(np.ndarray))

    def __bool__(self):
        DeviceScalar.reads += 1
        return bool(self.view(np.ndarray))


def _device(value):
    return np.asarray(value).view(DeviceScalar)


# The array module of a GPU as pcg uses it, on NumPy, with scalars that count reads.
FAKE_XP = SimpleNamespace(
    dot=lambda a, b: _device(np.add.reduce(a * b)),
    where=lambda cond, a, b: _device(np.where(cond, a, b)),
    asarray=_device,
    empty_like=np.empty_like,
    multiply=np.multiply,
)


def _poisson_1d(m):
    """A = tridiag(−1, 2.05, −1) [m, m] applied matrix-free, b, inv_diag."""

    def apply(p, out):
        out[:] = 2.05 * p
        out[1:] -= p[:-1]
        out[:-1] -= p[1:]

    b = np.sin(np.arange(m) * 0.37) + 0.5
    return apply, b, np.full(m, 1.0 / 2.05)


def _solve(xp, check_every, m=200, tol=1e-10, max_iterations=500):
    apply, b, inv_diag = _poisson_1d(m)
    x = np.zeros(m)
    r = b.copy()
    it, rnorm = pcg(xp, apply, x, r, jacobi(xp, inv_diag), tol * np.linalg.norm(b), max_iterations, check_every)
    return x, it, rnorm, b, apply


@pytest.mark.parametrize("check_every", [1, CHECK_EVERY])
def test_device_path_reads_the_norm_only_every_k_iterations(check_every):
    DeviceScalar.reads = 0
    x, it, rnorm, b, apply = _solve(FAKE_XP, check_every)
    assert it > 2 * CHECK_EVERY  # several checks happened
    # one read before the loop, then one per check
    assert DeviceScalar.reads == 1 + math.ceil(it / check_every)
    ax = np.empty_like(x)
    apply(x, ax)
    assert np.linalg.norm(b - ax) <= 1e-9 * np.linalg.norm(b)


@pytest.mark.parametrize("check_every", [1, CHECK_EVERY])
def test_device_and_host_paths_give_identical_solutions(check_every):
    x_dev, it_dev, r_dev, *_ = _solve(FAKE_XP, check_every)
    x_host, it_host, r_host, *_ = _solve(np, check_every)
    assert it_dev == it_host and r_dev == r_host
    assert np.array_equal(x_dev, x_host)


def test_checking_every_k_stops_at_the_next_check_after_convergence():
    _, it1, *_ = _solve(np, 1)
    x8, it8, r8, *_ = _solve(np, CHECK_EVERY)
    assert it1 <= it8 < it1 + CHECK_EVERY and it8 % CHECK_EVERY == 0


def test_a_frozen_step_stops_with_x_unchanged():
    """p·Ap = 0 (A = 0 on the search direction) freezes x, r at their start
    and the solve stops at the next check."""
    m = 16
    x = np.ones(m)
    r = np.ones(m)

    def apply(p, out):
        out[:] = 0.0

    it, rnorm = pcg(FAKE_XP, apply, x, r, jacobi(FAKE_XP, np.ones(m)), 1e-12, 100, CHECK_EVERY)
    assert it == CHECK_EVERY and rnorm == math.sqrt(m)
    assert np.array_equal(x, np.ones(m)) and np.array_equal(r, np.ones(m))
