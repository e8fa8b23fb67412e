"""CPU launchers for the blood species (rules in kernels/rules/blood.py).
Per-agent launchers take ``n`` (rows allocated, an upper bound) and the
pool's device counter ``live`` (int64, ``live[0]`` live rows) and run rows
``[0, min(n, live[0]))``. Scatters into shared slots (``count_bound``,
``count_in_voxels``) are serial integer loops, so their result is exact and
order-free."""

from numba import njit, prange

from alveosim.kernels.rules.blood import (
    activate_one,
    apply_join_one,
    bind_one,
    cell_key_one,
    commit_births_one,
    join_one,
    place_from_one,
    poisson_one,
    transport_one,
)
from alveosim.kernels.rules.voxels import flat_voxel


@njit(parallel=True, cache=True)
def transport(n, live, pos, uid, state, immobile, seed, stream, step, sigma, dt, h, p_clear, labels, occluded, velocity, fate):
    for i in prange(min(n, live[0])):
        transport_one(i, pos, uid, state, immobile, seed, stream, step, sigma, dt, h, p_clear, labels, occluded, velocity, fate)


@njit(parallel=True, cache=True)
def poisson_counts(n, lam, keys, seed, stream, step, counts):
    for i in prange(n):
        poisson_one(i, lam, keys, seed, stream, step, counts)


@njit(cache=True)
def place(n, offsets, voxels, dims, h, pos, uid, field, value, counter, seed, stream, step):
    """Serial: a step's births are few, a parallel launch costs more than them."""
    for v in range(n):
        place_from_one(v, offsets, voxels, dims, h, pos, uid, field, value, counter, seed, stream, step)


@njit(cache=True)
def commit_births(n, offsets, counter, capacity, ledger, key):
    for i in range(n):
        commit_births_one(i, offsets, counter, capacity, ledger, key)


@njit(parallel=True, cache=True)
def cell_keys(n, live, pos, grid, dims, keys):
    for i in prange(n):
        cell_key_one(i, live, pos, grid, dims, keys)


@njit(parallel=True, cache=True)
def bind(n, live, ev_pos, ev_uid, ev_state, beta2, seed, stream, step, p_bind, theta, block_stream, pl_pos, pl_state, radius, grid, dims, sorted_keys, order, target):
    for i in prange(min(n, live[0])):
        bind_one(i, ev_pos, ev_uid, ev_state, beta2, seed, stream, step, p_bind, theta, block_stream, pl_pos, pl_state, radius, grid, dims, sorted_keys, order, target)


@njit(cache=True)
def count_bound(n, live, target, n_bound):
    """n_bound[target[i]] += 1 for every live EV i with target[i] >= 0."""
    for i in range(min(n, live[0])):
        t = target[i]
        if t >= 0:
            n_bound[t] += 1


@njit(parallel=True, cache=True)
def activate(n, live, uid, state, n_bound, timer, activated_by, bonds_to_prime, delay, p_spont, dt, seed, stream, step):
    for i in prange(min(n, live[0])):
        activate_one(i, uid, state, n_bound, timer, activated_by, bonds_to_prime, delay, p_spont, dt, seed, stream, step)


@njit(parallel=True, cache=True)
def join(n, live, pos, uid, state, seed, stream, step, p_join, radius, grid, dims, sorted_keys, order, joined):
    for i in prange(min(n, live[0])):
        join_one(i, pos, uid, state, seed, stream, step, p_join, radius, grid, dims, sorted_keys, order, joined)


@njit(cache=True)
def apply_join(n, live, state, joined, uid, aggregate):
    """Serial: a flag test per platelet, cheaper than a parallel launch."""
    for i in range(min(n, live[0])):
        apply_join_one(i, state, joined, uid, aggregate)


@njit(cache=True)
def count_in_voxels(n, pos, state, which, h, dims, counts):
    """counts[v] += 1 (int32, flat voxel ids) for every agent with state == which."""
    for i in range(n):
        if state[i] == which:
            counts[flat_voxel(pos, i, h, dims)] += 1
