"""CUDA launchers for random draws."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.draws import fill_normal_one, fill_uniform_one


@cuda.jit(cache=True)
def _fill_uniform(n, seed, stream, step, uid, out):
    i = cuda.grid(1)
    if i < n:
        fill_uniform_one(i, seed, stream, step, uid, out)


@cuda.jit(cache=True)
def _fill_normal(n, seed, stream, step, uid, out):
    i = cuda.grid(1)
    if i < n:
        fill_normal_one(i, seed, stream, step, uid, out)


fill_uniform = grid1d(_fill_uniform)
fill_normal = grid1d(_fill_normal)
