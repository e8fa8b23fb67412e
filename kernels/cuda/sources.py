"""CUDA launchers of the agent–field coupling rules (kernels.rules.sources):
``sample`` declared with ``per_item`` (kernels/per_item.py), and the deposit,
whose int64 atomics make the sums independent of thread timing."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import sources as rules
from alveosim.kernels.rules.sources import quantum
from alveosim.kernels.rules.voxels import voxel_of

globals().update(cuda_launchers(rules))


# Hand-written on both backends: int64 atomics here, a serial scatter on the CPU.
@cuda.jit(cache=True)
def _deposit(n, pos, rates, per_agent, scale, h, nx, ny, nz, acc):
    i = cuda.grid(1)
    if i < n:
        cuda.atomic.add(acc, voxel_of(pos, i, h, nx, ny, nz), quantum(rates, per_agent, i, scale))


deposit = grid1d(_deposit)
