"""CUDA launchers for interstitial macrophages."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.macrophages import nearest_blood_one, reprogram_one


@cuda.jit(cache=True)
def _reprogram(n, uid, state, conc, seed, stream, step, rate_dt, k_pow_n, n_hill, p_revert):
    i = cuda.grid(1)
    if i < n:
        reprogram_one(i, uid, state, conc, seed, stream, step, rate_dt, k_pow_n, n_hill, p_revert)


@cuda.jit(cache=True)
def _nearest_blood(n, pos, labels, h, reach, out):
    i = cuda.grid(1)
    if i < n:
        nearest_blood_one(i, pos, labels, h, reach, out)


reprogram = grid1d(_reprogram)
nearest_blood = grid1d(_nearest_blood)
