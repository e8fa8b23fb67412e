"""Rules of the foundation's demonstration species (walkers): Brownian step
with reflecting walls, birth/death fate, and placement of newborns.

Coordinates are read as float64 before arithmetic so that the compiled
kernels and the CUDA simulator (NumPy scalars) round identically."""

import math

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item
from alveosim.kernels.rng import normal4, uniform4


@register_jitable
def reflect(x, lo, hi):
    """Reflect coordinate x into [lo, hi] (one bounce; steps are << box)."""
    if x < lo:
        x = lo + (lo - x)
    if x > hi:
        x = hi - (x - hi)
    return min(max(x, lo), hi)


@register_jitable
def move_one(i, pos, sigma, box, a, b, c):
    """pos[i] += sigma * (a, b, c), reflected into box = (x0, y0, z0, x1, y1, z1) µm."""
    pos[i, 0] = reflect(np.float64(pos[i, 0]) + sigma * a, box[0], box[3])
    pos[i, 1] = reflect(np.float64(pos[i, 1]) + sigma * b, box[1], box[4])
    pos[i, 2] = reflect(np.float64(pos[i, 2]) + sigma * c, box[2], box[5])


@register_jitable
def walk_one(i, pos, uid, seed, stream, step, sigma, box):
    """pos[i] += sigma * N(0, I3), reflected into box = (x0, y0, z0, x1, y1, z1) µm.
    sigma = sqrt(2 D dt) in µm."""
    a, b, c, _ = normal4(seed, stream, step, uid[i], 0)
    move_one(i, pos, sigma, box, a, b, c)


@per_item("walker_fate")
@register_jitable
def fate_one(i, uid, n_neigh, seed, stream, step, p_divide, p_die, crowding_limit, fate):
    """fate[i] = -1 (dies), 1 (divides) or 0, from the per-step probabilities.
    Division only when fewer than ``crowding_limit`` neighbours."""
    u_die, u_div, _, _ = uniform4(seed, stream, step, uid[i], 0)
    if u_die < p_die:
        fate[i] = -1
    elif n_neigh[i] < crowding_limit and u_div < p_divide:
        fate[i] = 1
    else:
        fate[i] = 0


@per_item("place_children")
@register_jitable
def place_child_one(k, first, parent_row, pos, uid, seed, stream, step, offset, box):
    """Put newborn row first+k at distance ``offset`` µm from its parent in a
    random direction (keyed by the child's uid), inside the box."""
    c = first + k
    p = parent_row[k]
    a, b, d, _ = normal4(seed, stream, step, uid[c], 0)
    norm = math.sqrt(a * a + b * b + d * d) + 1e-12
    pos[c, 0] = reflect(np.float64(pos[p, 0]) + offset * a / norm, box[0], box[3])
    pos[c, 1] = reflect(np.float64(pos[p, 1]) + offset * b / norm, box[1], box[4])
    pos[c, 2] = reflect(np.float64(pos[p, 2]) + offset * d / norm, box[2], box[5])
