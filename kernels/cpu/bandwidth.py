"""A parallel copy: the CPU's memory-bandwidth roofline for benchmarks."""

from numba import njit, prange


@njit(parallel=True, cache=True)
def copy(src, dst):
    """dst[:] = src[:] over all threads (1-D arrays of equal size)."""
    for i in prange(src.shape[0]):
        dst[i] = src[i]
