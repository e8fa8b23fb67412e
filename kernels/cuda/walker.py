"""CUDA launchers for the walker demonstration species: the rules of
kernels/rules/walker.py declared with ``per_item`` (kernels/per_item.py), and
the random walk."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import walker as rules
from alveosim.kernels.rules.walker import walk_one

globals().update(cuda_launchers(rules))


# Hand-written on both backends: one thread per agent here, a vectorised first pass of draws per chunk on the CPU.
@cuda.jit(cache=True)
def _random_walk(n, pos, uid, seed, stream, step, sigma, box):
    i = cuda.grid(1)
    if i < n:
        walk_one(i, pos, uid, seed, stream, step, sigma, box)


random_walk = grid1d(_random_walk)
