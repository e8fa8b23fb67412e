"""CUDA launchers for the capillary flow solve."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.flow import laplacian_one, neighbours_one, velocity_one


@cuda.jit(cache=True)
def _neighbours(m, cells, index, shape, nbr):
    c = cuda.grid(1)
    if c < m:
        neighbours_one(c, cells, index, shape, nbr)


@cuda.jit(cache=True)
def _laplacian(m, nbr, fixed, x, all_rows, out):
    c = cuda.grid(1)
    if c < m:
        laplacian_one(c, nbr, fixed, x, all_rows, out)


@cuda.jit(cache=True)
def _velocity(m, cells, nbr, fixed, x, shape, flow_axis, scale, vel, speed):
    c = cuda.grid(1)
    if c < m:
        velocity_one(c, cells, nbr, fixed, x, shape, flow_axis, scale, vel, speed)


neighbours = grid1d(_neighbours)
laplacian = grid1d(_laplacian)
velocity = grid1d(_velocity)
