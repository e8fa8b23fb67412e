"""CPU launchers of the agent–field coupling rules (kernels.rules.sources):
``sample`` declared with ``per_item`` (kernels/per_item.py), and the deposit."""

from numba import njit

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import sources as rules
from alveosim.kernels.rules.sources import quantum
from alveosim.kernels.rules.voxels import voxel_of

globals().update(cpu_launchers(rules))


# Hand-written on both backends: a serial scatter here, int64 atomics on CUDA.
@njit(cache=True)
def deposit(n, pos, rates, per_agent, scale, h, nx, ny, nz, acc):
    """acc[voxel of agent i] += round(rate_i · scale) for i < n (acc flat
    int64 [nx*ny*nz]). Serial, so the integer sums need no atomics; integer
    addition makes the result independent of the order."""
    for i in range(n):
        acc[voxel_of(pos, i, h, nx, ny, nz)] += quantum(rates, per_agent, i, scale)
