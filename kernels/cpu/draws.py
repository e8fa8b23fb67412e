"""CPU launchers for random draws."""

from numba import njit, prange

from alveosim.kernels.rules.draws import fill_normal_one, fill_uniform_one


@njit(parallel=True, cache=True)
def fill_uniform(n, seed, stream, step, uid, out):
    for i in prange(n):
        fill_uniform_one(i, seed, stream, step, uid, out)


@njit(parallel=True, cache=True)
def fill_normal(n, seed, stream, step, uid, out):
    for i in prange(n):
        fill_normal_one(i, seed, stream, step, uid, out)
