"""CUDA launchers for the walker demonstration species."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.walker import fate_one, place_child_one, walk_one


@cuda.jit(cache=True)
def _random_walk(n, pos, uid, seed, stream, step, sigma, box):
    i = cuda.grid(1)
    if i < n:
        walk_one(i, pos, uid, seed, stream, step, sigma, box)


@cuda.jit(cache=True)
def _walker_fate(n, uid, n_neigh, seed, stream, step, p_divide, p_die, crowding_limit, fate):
    i = cuda.grid(1)
    if i < n:
        fate_one(i, uid, n_neigh, seed, stream, step, p_divide, p_die, crowding_limit, fate)


@cuda.jit(cache=True)
def _place_children(n, first, parent_row, pos, uid, seed, stream, step, offset, box):
    k = cuda.grid(1)
    if k < n:
        place_child_one(k, first, parent_row, pos, uid, seed, stream, step, offset, box)


random_walk = grid1d(_random_walk)
walker_fate = grid1d(_walker_fate)
place_children = grid1d(_place_children)
