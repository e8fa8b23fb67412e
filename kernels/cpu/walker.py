"""CPU launchers for the walker demonstration species."""

from numba import njit, prange

from kernels.rules.walker import fate_one, place_child_one, walk_one


@njit(parallel=True, cache=True)
def random_walk(n, pos, uid, seed, stream, step, sigma, box):
    for i in prange(n):
        walk_one(i, pos, uid, seed, stream, step, sigma, box)


@njit(parallel=True, cache=True)
def walker_fate(n, uid, n_neigh, seed, stream, step, p_divide, p_die, crowding_limit, fate):
    for i in prange(n):
        fate_one(i, uid, n_neigh, seed, stream, step, p_divide, p_die, crowding_limit, fate)


@njit(parallel=True, cache=True)
def place_children(n, first, parent_row, pos, uid, seed, stream, step, offset, box):
    for k in prange(n):
        place_child_one(k, first, parent_row, pos, uid, seed, stream, step, offset, box)
