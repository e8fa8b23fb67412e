"""CUDA launchers for the blood species (same names and arguments as
kernels/cpu/blood.py). Scatters use integer atomics, so their result is exact
and order-free."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
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


@cuda.jit(cache=True)
def _transport(n, pos, uid, state, immobile, seed, stream, step, sigma, dt, h, p_clear, labels, occluded, velocity, fate):
    i = cuda.grid(1)
    if i < n:
        transport_one(i, pos, uid, state, immobile, seed, stream, step, sigma, dt, h, p_clear, labels, occluded, velocity, fate)


@cuda.jit(cache=True)
def _poisson_counts(n, lam, keys, seed, stream, step, counts):
    i = cuda.grid(1)
    if i < n:
        poisson_one(i, lam, keys, seed, stream, step, counts)


@cuda.jit(cache=True)
def _place(n, first, offsets, voxels, dims, h, pos, uid, seed, stream, step):
    k = cuda.grid(1)
    if k < n:
        place_one(k, first, offsets, voxels, dims, h, pos, uid, seed, stream, step)


@cuda.jit(cache=True)
def _bind(n, ev_pos, ev_uid, ev_state, beta2, seed, stream, step, p_bind, theta, block_stream, pl_pos, pl_state, radius, grid, dims, cell_start, order, target):
    i = cuda.grid(1)
    if i < n:
        bind_one(i, ev_pos, ev_uid, ev_state, beta2, seed, stream, step, p_bind, theta, block_stream, pl_pos, pl_state, radius, grid, dims, cell_start, order, target)


@cuda.jit(cache=True)
def _count_bound(n, target, n_bound):
    i = cuda.grid(1)
    if i < n:
        t = target[i]
        if t >= 0:
            cuda.atomic.add(n_bound, t, 1)


@cuda.jit(cache=True)
def _activate(n, uid, state, n_bound, timer, activated_by, bonds_to_prime, delay, p_spont, dt, seed, stream, step):
    i = cuda.grid(1)
    if i < n:
        activate_one(i, uid, state, n_bound, timer, activated_by, bonds_to_prime, delay, p_spont, dt, seed, stream, step)


@cuda.jit(cache=True)
def _join(n, pos, uid, state, seed, stream, step, p_join, radius, grid, dims, cell_start, order, joined):
    i = cuda.grid(1)
    if i < n:
        join_one(i, pos, uid, state, seed, stream, step, p_join, radius, grid, dims, cell_start, order, joined)


@cuda.jit(cache=True)
def _apply_join(n, state, joined, uid, aggregate):
    i = cuda.grid(1)
    if i < n:
        apply_join_one(i, state, joined, uid, aggregate)


@cuda.jit(cache=True)
def _count_in_voxels(n, pos, state, which, h, dims, counts):
    i = cuda.grid(1)
    if i < n and state[i] == which:
        cuda.atomic.add(counts, flat_voxel(pos, i, h, dims), 1)


transport = grid1d(_transport)
poisson_counts = grid1d(_poisson_counts)
place = grid1d(_place)
bind = grid1d(_bind)
count_bound = grid1d(_count_bound)
activate = grid1d(_activate)
join = grid1d(_join)
apply_join = grid1d(_apply_join)
count_in_voxels = grid1d(_count_in_voxels)
