"""CPU launchers of the agent–field coupling rules (kernels.rules.sources)."""

from numba import njit, prange

from alveosim.kernels.rules.sources import quantum, sample_one
from alveosim.kernels.rules.voxels import voxel_of


@njit(cache=True)
def deposit(n, pos, rates, per_agent, scale, h, nx, ny, nz, acc):
    """acc[voxel of agent i] += round(rate_i · scale) for i < n (acc flat
    int64 [nx*ny*nz]). Serial, so the integer sums need no atomics; integer
    addition makes the result independent of the order."""
    for i in range(n):
        acc[voxel_of(pos, i, h, nx, ny, nz)] += quantum(rates, per_agent, i, scale)


@njit(parallel=True, cache=True)
def sample(n, pos, c, h, nx, ny, nz, out):
    """out[i] = c at the voxel of agent i, for i < n."""
    for i in prange(n):
        sample_one(pos, i, c, h, nx, ny, nz, out)
