"""Rules of the capillary flow solve: a 7-point conductance
Laplacian over the conducting voxels, matrix-free, and cell-centred
velocities from the pressure.

Conducting voxels are numbered c = 0..m-1; cells[c] is the flat voxel index
(C order) and nbr[c, d] the number of the neighbour across face d or -1
(no flux), with faces ordered (-x, +x, -y, +y, -z, +z). fixed[c] = 1 marks a
Dirichlet voxel (inlet or outlet). Face conductance is uniform: the kernels
work with unit conductance and callers scale.
"""

import math

from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item


@per_item("neighbours")
@register_jitable
def neighbours_one(c, cells, index, shape, nbr):
    """nbr[c, :] (int32 [m, 6]) from index (int32 [nx*ny*nz], -1 = not conducting)."""
    ny = shape[1]
    nz = shape[2]
    v = cells[c]
    i = v // (ny * nz)
    j = (v // nz) % ny
    k = v % nz
    sx = ny * nz
    nbr[c, 0] = index[v - sx] if i > 0 else -1
    nbr[c, 1] = index[v + sx] if i < shape[0] - 1 else -1
    nbr[c, 2] = index[v - nz] if j > 0 else -1
    nbr[c, 3] = index[v + nz] if j < ny - 1 else -1
    nbr[c, 4] = index[v - 1] if k > 0 else -1
    nbr[c, 5] = index[v + 1] if k < nz - 1 else -1


@per_item("laplacian")
@register_jitable
def laplacian_one(c, nbr, fixed, x, all_rows, out):
    """out[c] = sum over the neighbours j of c of (x[c] - x[j]): the net
    outflow of voxel c at unit face conductance. On fixed rows out[c] = 0
    unless all_rows is 1 (then it is the flow a Dirichlet voxel delivers)."""
    if fixed[c] != 0 and all_rows == 0:
        out[c] = 0.0
        return
    xc = x[c]
    acc = 0.0
    for d in range(6):
        j = nbr[c, d]
        if j >= 0:
            acc += xc - x[j]
    out[c] = acc


@per_item("velocity")
@register_jitable
def velocity_one(c, cells, nbr, fixed, x, shape, flow_axis, scale, vel, speed):
    """Cell-centred velocity of conducting voxel c: per axis the mean of the
    flux densities through its lower and upper faces, times ``scale``
    (µm/s per unit of x difference). A Dirichlet voxel on the lower (upper)
    face of the domain along flow_axis takes in (gives out) through that
    boundary face whatever it exchanges with its neighbours, so mass balances.
    vel: float32 [nx*ny*nz, 3], µm/s; speed: float64 [m], |velocity| µm/s."""
    ny = shape[1]
    nz = shape[2]
    v = cells[c]
    xc = x[c]
    net = 0.0
    for d in range(6):
        j = nbr[c, d]
        if j >= 0:
            net += xc - x[j]
    coord = v // (ny * nz)
    if flow_axis == 1:
        coord = (v // nz) % ny
    elif flow_axis == 2:
        coord = v % nz
    s2 = 0.0
    for a in range(3):
        lo = nbr[c, 2 * a]
        hi = nbr[c, 2 * a + 1]
        f_lo = x[lo] - xc if lo >= 0 else 0.0
        f_hi = xc - x[hi] if hi >= 0 else 0.0
        if fixed[c] != 0 and a == flow_axis:
            if coord == 0:
                f_lo += net
            elif coord == shape[a] - 1:
                f_hi -= net
        u = 0.5 * scale * (f_lo + f_hi)
        vel[v, a] = u
        s2 += u * u
    speed[c] = math.sqrt(s2)
