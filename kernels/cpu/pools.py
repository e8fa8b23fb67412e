"""CPU compaction of a pool that counts on the device (sim/pools.py
``AgentPool.compact``): serial in-place loops bounded by the live count, the
survivors moved down in order (a survivor's new row is never after its old
one, so one forward pass is safe). The CUDA backend compacts with a prefix
sum over the rows instead (array operations), as an in-place parallel move
would overwrite rows not yet read.

``live``: the pool's device counter (int64 [3], ``live[0]`` live rows);
``dead``: bool [capacity], rows at or past ``live[0]`` ignored."""

from numba import njit

from alveosim.kernels.rules.pools import survives


@njit(cache=True)
def compact_field(live, dead, arr):
    """Move the surviving rows of ``arr`` ([capacity, *trailing]) down in
    order and zero the rows from the last survivor up to ``live[0]``."""
    kept = 0
    for i in range(live[0]):
        if survives(i, live, dead):
            if kept != i:
                arr[kept] = arr[i]
            kept += 1
    arr[kept : live[0]] = 0


@njit(cache=True)
def compact_count(live, dead, removed):
    """After every field: ``removed[0]`` = the rows removed, ``live[0]`` the survivors."""
    kept = 0
    for i in range(live[0]):
        if survives(i, live, dead):
            kept += 1
    removed[0] = live[0] - kept
    live[0] = kept
