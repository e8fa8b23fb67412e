"""CPU launchers for interstitial macrophages."""

from numba import njit, prange

from alveosim.kernels.rules.macrophages import nearest_blood_one, reprogram_one


@njit(parallel=True, cache=True)
def reprogram(n, uid, state, conc, seed, stream, step, rate_dt, k_pow_n, n_hill, p_revert):
    for i in prange(n):
        reprogram_one(i, uid, state, conc, seed, stream, step, rate_dt, k_pow_n, n_hill, p_revert)


@njit(parallel=True, cache=True)
def nearest_blood(n, pos, labels, h, reach, out):
    for i in prange(n):
        nearest_blood_one(i, pos, labels, h, reach, out)
