"""CPU launchers for the walker demonstration species: the rules of
kernels/rules/walker.py declared with ``per_item`` (kernels/per_item.py), and
the random walk."""

import numpy as np
from numba import njit, prange

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rng import normal4_fast
from alveosim.kernels.rules import walker as rules
from alveosim.kernels.rules.walker import move_one, walk_one

WALK_CHUNK = 1024  # agents per thread task in random_walk

globals().update(cpu_launchers(rules))


# Hand-written on both backends: the CPU draws in a vectorised first pass per chunk, CUDA one thread per agent.
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
