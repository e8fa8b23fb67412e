"""CPU launchers for the blood species (rules in kernels/rules/blood.py).
Scatters into shared slots (``count_bound``, ``count_in_voxels``) are serial
integer loops, so their result is exact and order-free."""

from numba import njit, prange

from alveosim.kernels.rules.blood import (
    activate_one,
    apply_join_one,
    bind_one,
    join_one,
    place_one,
    poisson_one,
    transport_one,
)
from alveosim.kernels.rules.voxels import flat_voxel


@njit(parallel=True, cache=True)
def transport(n, pos, uid, state, immobile, seed, stream, step, sigma, dt, h, p_clear, labels, occluded, velocity, fate):
    for i in prange(n):
        transport_one(i, pos, uid, state, immobile, seed, stream, step, sigma, dt, h, p_clear, labels, occluded, velocity, fate)


@njit(parallel=True, cache=True)
def poisson_counts(n, lam, keys, seed, stream, step, counts):
    for i in prange(n):
        poisson_one(i, lam, keys, seed, stream, step, counts)


@njit(parallel=True, cache=True)
def place(n, first, offsets, voxels, dims, h, pos, uid, seed, stream, step):
    for k in prange(n):
        place_one(k, first, offsets, voxels, dims, h, pos, uid, seed, stream, step)


@njit(parallel=True, cache=True)
def bind(n, ev_pos, ev_uid, ev_state, beta2, seed, stream, step, p_bind, theta, block_stream, pl_pos, pl_state, radius, grid, dims, cell_start, order, target):
    for i in prange(n):
        bind_one(i, ev_pos, ev_uid, ev_state, beta2, seed, stream, step, p_bind, theta, block_stream, pl_pos, pl_state, radius, grid, dims, cell_start, order, target)


@njit(cache=True)
def count_bound(n, target, n_bound):
    """n_bound[target[i]] += 1 for every EV i with target[i] >= 0."""
    for i in range(n):
        t = target[i]
        if t >= 0:
            n_bound[t] += 1


@njit(parallel=True, cache=True)
def activate(n, uid, state, n_bound, timer, activated_by, bonds_to_prime, delay, p_spont, dt, seed, stream, step):
    for i in prange(n):
        activate_one(i, uid, state, n_bound, timer, activated_by, bonds_to_prime, delay, p_spont, dt, seed, stream, step)


@njit(parallel=True, cache=True)
def join(n, pos, uid, state, seed, stream, step, p_join, radius, grid, dims, cell_start, order, joined):
    for i in prange(n):
        join_one(i, pos, uid, state, seed, stream, step, p_join, radius, grid, dims, cell_start, order, joined)


@njit(parallel=True, cache=True)
def apply_join(n, state, joined, uid, aggregate):
    for i in prange(n):
        apply_join_one(i, state, joined, uid, aggregate)


@njit(cache=True)
def count_in_voxels(n, pos, state, which, h, dims, counts):
    """counts[v] += 1 (int32, flat voxel ids) for every agent with state == which."""
    for i in range(n):
        if state[i] == which:
            counts[flat_voxel(pos, i, h, dims)] += 1
