"""CPU launchers for the walker demonstration species."""

import numpy as np
from numba import njit, prange

from alveosim.kernels.rng import normal4_fast
from alveosim.kernels.rules.walker import fate_one, move_one, place_child_one, walk_one

WALK_CHUNK = 1024  # agents per thread task in random_walk


@njit(parallel=True, cache=True)
def random_walk(n, pos, uid, seed, stream, step, sigma, box):
    """walk_one for every agent, in two passes per chunk so the draws
    vectorise: a branch-free pass stores normal4_fast's draws (float64
    scratch, 3 x WALK_CHUNK) and flags; the second moves the agents whose
    draws were all fast-path and runs walk_one (the full rule, same draws)
    for the others (≈5%)."""
    for chunk in prange((n + WALK_CHUNK - 1) // WALK_CHUNK):
        lo = chunk * WALK_CHUNK
        m = min(WALK_CHUNK, n - lo)
        za = np.empty(WALK_CHUNK)
        zb = np.empty(WALK_CHUNK)
        zc = np.empty(WALK_CHUNK)
        ok = np.empty(WALK_CHUNK, dtype=np.bool_)
        for j in range(m):
            a, b, c, _, good = normal4_fast(seed, stream, step, uid[lo + j], 0)
            za[j] = a
            zb[j] = b
            zc[j] = c
            ok[j] = good
        for j in range(m):
            if ok[j]:
                move_one(lo + j, pos, sigma, box, za[j], zb[j], zc[j])
            else:
                walk_one(lo + j, pos, uid, seed, stream, step, sigma, box)


@njit(parallel=True, cache=True)
def walker_fate(n, uid, n_neigh, seed, stream, step, p_divide, p_die, crowding_limit, fate):
    for i in prange(n):
        fate_one(i, uid, n_neigh, seed, stream, step, p_divide, p_die, crowding_limit, fate)


@njit(parallel=True, cache=True)
def place_children(n, first, parent_row, pos, uid, seed, stream, step, offset, box):
    for k in prange(n):
        place_child_one(k, first, parent_row, pos, uid, seed, stream, step, offset, box)
