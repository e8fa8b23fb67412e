"""CUDA compaction of a pool that counts on the device (sim/pools.py
``AgentPool.compact``): a prefix sum over the survivor flags gives each
survivor its new row, and each field is gathered into a scratch array in
one launch (an in-place parallel move would overwrite rows not yet read),
then copied back. The CPU moves rows in place in one serial pass instead
(kernels/cpu/pools.py).

``n``: the pool's capacity; ``live``: its device counter (int64 [3],
``live[0]`` live rows); ``dead``: bool [n]; ``keep``: int64 [n] survivor
flags; ``kept``: int64 [n] their inclusive prefix sum."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.pools import survives


@cuda.jit(cache=True)
def _survivors(n, live, dead, keep):
    """keep[i] = 1 for a live row that is not dead, else 0 (every row)."""
    i = cuda.grid(1)
    if i < n:
        keep[i] = 1 if survives(i, live, dead) else 0


@cuda.jit(cache=True)
def _gather_survivors(n, keep, kept, src, dst):
    """dst[kept[i] − 1, :] = src[i, :] for each survivor i, and rows
    [kept[n − 1], n) of dst zero (src, dst: [n, k] of one dtype)."""
    i = cuda.grid(1)
    if i < n:
        if keep[i] != 0:
            j = kept[i] - 1
            for c in range(src.shape[1]):
                dst[j, c] = src[i, c]
        if i >= kept[n - 1]:
            for c in range(dst.shape[1]):
                dst[i, c] = 0


survivors = grid1d(_survivors)
gather_survivors = grid1d(_gather_survivors)
