"""CUDA launchers of the agent–field coupling rules (kernels.rules.sources);
deposits use int64 atomics, so their sums do not depend on thread timing."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.sources import quantum, sample_one
from alveosim.kernels.rules.voxels import voxel_of


@cuda.jit(cache=True)
def _deposit(n, pos, rates, per_agent, scale, h, nx, ny, nz, acc):
    i = cuda.grid(1)
    if i < n:
        cuda.atomic.add(acc, voxel_of(pos, i, h, nx, ny, nz), quantum(rates, per_agent, i, scale))


@cuda.jit(cache=True)
def _sample(n, pos, c, h, nx, ny, nz, out):
    i = cuda.grid(1)
    if i < n:
        sample_one(pos, i, c, h, nx, ny, nz, out)


deposit = grid1d(_deposit)
sample = grid1d(_sample)
