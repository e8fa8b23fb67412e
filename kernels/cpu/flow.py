"""CPU launchers for the capillary flow solve."""

from numba import njit, prange

from alveosim.kernels.rules.flow import laplacian_one, neighbours_one, velocity_one


@njit(parallel=True, cache=True)
def neighbours(m, cells, index, shape, nbr):
    for c in prange(m):
        neighbours_one(c, cells, index, shape, nbr)


@njit(parallel=True, cache=True)
def laplacian(m, nbr, fixed, x, all_rows, out):
    for c in prange(m):
        laplacian_one(c, nbr, fixed, x, all_rows, out)


@njit(parallel=True, cache=True)
def velocity(m, cells, nbr, fixed, x, shape, flow_axis, scale, vel, speed):
    for c in prange(m):
        velocity_one(c, cells, nbr, fixed, x, shape, flow_axis, scale, vel, speed)
