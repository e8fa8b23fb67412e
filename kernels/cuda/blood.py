"""CUDA launchers for the blood species (same names and arguments as
kernels/cpu/blood.py): per-agent kernels are launched over ``n`` rows (an
upper bound) and skip rows at or past ``live[0]``, read on the device.
Scatters use integer atomics, so their result is exact and order-free."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
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


@cuda.jit(cache=True)
def _transport(n, live, pos, uid, state, immobile, seed, stream, step, sigma, dt, h, p_clear, labels, occluded, velocity, fate):
    i = cuda.grid(1)
    if i < n and i < live[0]:
        transport_one(i, pos, uid, state, immobile, seed, stream, step, sigma, dt, h, p_clear, labels, occluded, velocity, fate)


@cuda.jit(cache=True)
def _poisson_counts(n, lam, keys, seed, stream, step, counts):
    i = cuda.grid(1)
    if i < n:
        poisson_one(i, lam, keys, seed, stream, step, counts)


@cuda.jit(cache=True)
def _place(n, offsets, voxels, dims, h, pos, uid, field, value, counter, seed, stream, step):
    v = cuda.grid(1)
    if v < n:
        place_from_one(v, offsets, voxels, dims, h, pos, uid, field, value, counter, seed, stream, step)


@cuda.jit(cache=True)
def _commit_births(n, offsets, counter, capacity, ledger, key):
    i = cuda.grid(1)
    if i < n:
        commit_births_one(i, offsets, counter, capacity, ledger, key)


@cuda.jit(cache=True)
def _cell_keys(n, live, pos, grid, dims, keys):
    i = cuda.grid(1)
    if i < n:
        cell_key_one(i, live, pos, grid, dims, keys)


@cuda.jit(cache=True)
def _bind(n, live, ev_pos, ev_uid, ev_state, beta2, seed, stream, step, p_bind, theta, block_stream, pl_pos, pl_state, radius, grid, dims, sorted_keys, order, target):
    i = cuda.grid(1)
    if i < n and i < live[0]:
        bind_one(i, ev_pos, ev_uid, ev_state, beta2, seed, stream, step, p_bind, theta, block_stream, pl_pos, pl_state, radius, grid, dims, sorted_keys, order, target)


@cuda.jit(cache=True)
def _count_bound(n, live, target, n_bound):
    i = cuda.grid(1)
    if i < n and i < live[0]:
        t = target[i]
        if t >= 0:
            cuda.atomic.add(n_bound, t, 1)


@cuda.jit(cache=True)
def _activate(n, live, uid, state, n_bound, timer, activated_by, bonds_to_prime, delay, p_spont, dt, seed, stream, step):
    i = cuda.grid(1)
    if i < n and i < live[0]:
        activate_one(i, uid, state, n_bound, timer, activated_by, bonds_to_prime, delay, p_spont, dt, seed, stream, step)


@cuda.jit(cache=True)
def _join(n, live, pos, uid, state, seed, stream, step, p_join, radius, grid, dims, sorted_keys, order, joined):
    i = cuda.grid(1)
    if i < n and i < live[0]:
        join_one(i, pos, uid, state, seed, stream, step, p_join, radius, grid, dims, sorted_keys, order, joined)


@cuda.jit(cache=True)
def _apply_join(n, live, state, joined, uid, aggregate):
    i = cuda.grid(1)
    if i < n and i < live[0]:
        apply_join_one(i, state, joined, uid, aggregate)


@cuda.jit(cache=True)
def _count_in_voxels(n, pos, state, which, h, dims, counts):
    i = cuda.grid(1)
    if i < n and state[i] == which:
        cuda.atomic.add(counts, flat_voxel(pos, i, h, dims), 1)


transport = grid1d(_transport)
poisson_counts = grid1d(_poisson_counts)
place = grid1d(_place)
commit_births = grid1d(_commit_births)
cell_keys = grid1d(_cell_keys)
bind = grid1d(_bind)
count_bound = grid1d(_count_bound)
activate = grid1d(_activate)
join = grid1d(_join)
apply_join = grid1d(_apply_join)
count_in_voxels = grid1d(_count_in_voxels)
