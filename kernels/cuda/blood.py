"""CUDA launchers for the blood species (same names and arguments as
kernels/cpu/blood.py): per-agent kernels generated from their ``per_item``
declarations, the live-bounded ones launched over ``n`` rows (an upper bound)
skipping rows at or past ``live[0]``, read on the device. The scatters use
integer atomics, so their result is exact and order-free."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import blood as rules
from alveosim.kernels.rules.blood import removal_key
from alveosim.kernels.rules.voxels import flat_voxel

globals().update(cuda_launchers(rules))


# Hand-written on both backends: atomics here, a serial scatter on the CPU.
@cuda.jit(cache=True)
def _count_bound(n, live, target, n_bound):
    i = cuda.grid(1)
    if i < n and i < live[0]:
        t = target[i]
        if t >= 0:
            cuda.atomic.add(n_bound, t, 1)


# Hand-written on both backends: atomics here, a serial scatter on the CPU.
@cuda.jit(cache=True)
def _count_in_voxels(n, pos, state, which, h, dims, counts):
    i = cuda.grid(1)
    if i < n and state[i] == which:
        cuda.atomic.add(counts, flat_voxel(pos, i, h, dims), 1)


# Hand-written on both backends: atomics here, a serial count on the CPU.
@cuda.jit(cache=True)
def _tally_removals(n, live, fate, state, removed_state, ledger, outflow_key, cleared_key, removed_key, dead):
    i = cuda.grid(1)
    if i < n and i < live[0]:
        key = removal_key(i, fate, state, removed_state, outflow_key, cleared_key, removed_key)
        dead[i] = key >= 0
        if key >= 0:
            cuda.atomic.add(ledger, key, 1)


count_bound = grid1d(_count_bound)
count_in_voxels = grid1d(_count_in_voxels)
tally_removals = grid1d(_tally_removals)
