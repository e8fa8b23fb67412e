"""CPU launchers for the blood species (rules in kernels/rules/blood.py).
Per-agent launchers are declared with ``per_item`` beside their rules; the
live-bounded ones take ``n`` (rows allocated, an upper bound) and the pool's
device counter ``live`` (int64, ``live[0]`` live rows) and run rows
``[0, min(n, live[0]))``. Hand-written here: the scatters into shared slots
(``count_bound``, ``count_in_voxels``, ``tally_removals``), serial integer loops on the CPU and
atomics on CUDA, so their result is exact and order-free."""

from numba import njit

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import blood as rules
from alveosim.kernels.rules.blood import removal_key
from alveosim.kernels.rules.voxels import flat_voxel

globals().update(cpu_launchers(rules))


# Hand-written on both backends: a serial scatter here, atomics on CUDA.
@njit(cache=True)
def count_bound(n, live, target, n_bound):
    """n_bound[target[i]] += 1 for every live EV i with target[i] >= 0."""
    for i in range(min(n, live[0])):
        t = target[i]
        if t >= 0:
            n_bound[t] += 1


# Hand-written on both backends: a serial scatter here, atomics on CUDA.
@njit(cache=True)
def count_in_voxels(n, pos, state, which, h, dims, counts):
    """counts[v] += 1 (int32, flat voxel ids) for every agent with state == which."""
    for i in range(n):
        if state[i] == which:
            counts[flat_voxel(pos, i, h, dims)] += 1


# Hand-written on both backends: a serial count here, atomics on CUDA.
@njit(cache=True)
def tally_removals(n, live, fate, state, removed_state, ledger, outflow_key, cleared_key, removed_key, dead):
    """dead[i] (bool) = agent i leaves its pool this step (``removal_key``
    >= 0), counted in ``ledger`` (int64) under that key; rows
    [0, min(n, live[0])), the others untouched (compaction ignores them)."""
    for i in range(min(n, live[0])):
        key = removal_key(i, fate, state, removed_state, outflow_key, cleared_key, removed_key)
        dead[i] = key >= 0
        if key >= 0:
            ledger[key] += 1
