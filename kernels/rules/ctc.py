"""Rules of circulating tumour cells (CTCs) in the capillary blood, written
once for the CPU and CUDA launchers.

A CTC is a point (its centre, float32 [n, 3] µm) carried by the flow as the
blood agents are (:func:`alveosim.kernels.rules.blood.transport_one`); after
each move it may arrest, with a per-step probability that is higher at a
clot: within ``contact`` µm of an aggregated platelet, or in a voxel that is
occluded or shares a face with an occluded one. The grids are those of
kernels/rules/blood.py (``labels``, ``occluded`` uint8 [nx, ny, nz],
``velocity`` float32 [nx, ny, nz, 3] µm/s); the aggregated platelets are
queried through a platelet cell list (``grid``, ``dims``, ``sorted_keys``,
``order``, as in kernels/rules/blood.py) whose cells are at least
``contact`` µm wide.
"""

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item
from alveosim.kernels.rng import uniform4
from alveosim.kernels.rules.blood import KEEP, OUTFLOW, nearest_within, transport_one
from alveosim.kernels.rules.voxels import voxel_index
from alveosim.kernels.states import AGGREGATED

# CTC states (uint8 ``state``), named in this order by the species declaration
CIRCULATING, ARRESTED, EXTRAVASATED = 0, 1, 2

# fates after a CTC step (int8): KEEP and OUTFLOW as for the blood agents, and
ARREST_OPEN = 3  # arrested in open capillary
ARREST_CLOT = 4  # arrested at a clot

_NOT_IMMOBILE = 255  # no state is skipped by the transport rule (non-circulating CTCs return first)


@register_jitable
def next_to_occlusion(occluded, ix, iy, iz):
    """True when voxel (ix, iy, iz) or one of its six face neighbours (inside the grid) is occluded."""
    nx, ny, nz = occluded.shape
    if occluded[ix, iy, iz] != 0:
        return True
    if ix > 0 and occluded[ix - 1, iy, iz] != 0:
        return True
    if ix < nx - 1 and occluded[ix + 1, iy, iz] != 0:
        return True
    if iy > 0 and occluded[ix, iy - 1, iz] != 0:
        return True
    if iy < ny - 1 and occluded[ix, iy + 1, iz] != 0:
        return True
    if iz > 0 and occluded[ix, iy, iz - 1] != 0:
        return True
    return iz < nz - 1 and occluded[ix, iy, iz + 1] != 0


@register_jitable
def at_clot(x, y, z, h, occluded, pl_pos, pl_state, contact, grid, dims, sorted_keys, order):
    """True when the point (x, y, z) µm is within ``contact`` µm of an
    aggregated platelet or in a voxel next to an occlusion."""
    if next_to_occlusion(occluded, voxel_index(x, h), voxel_index(y, h), voxel_index(z, h)):
        return True
    return nearest_within(x, y, z, -1, pl_pos, contact, grid, dims, sorted_keys, order, pl_state, AGGREGATED) >= 0


@per_item("ctc_step", live=True)
@register_jitable
def ctc_step_one(i, pos, uid, state, seed, move_stream, arrest_stream, step, sigma, dt, h, labels, occluded, velocity,
                 p_open, p_clot, pl_pos, pl_state, contact, grid, dims, sorted_keys, order, fate):
    """One blood step of CTC i: a circulating CTC moves (transport rule,
    stream ``move_stream``); one that ends in an OUTLET voxel gets fate
    OUTFLOW; else it arrests with probability ``p_clot`` at a clot
    (:func:`at_clot`) or ``p_open`` elsewhere (stream ``arrest_stream``):
    state ARRESTED and fate ARREST_CLOT or ARREST_OPEN. fate[i] (int8) is
    KEEP otherwise, and for CTCs that are not circulating."""
    fate[i] = KEEP
    if state[i] != CIRCULATING:
        return
    transport_one(i, pos, uid, state, _NOT_IMMOBILE, seed, move_stream, step, sigma, dt, h, 0.0, labels, occluded, velocity, fate)
    if fate[i] == OUTFLOW:
        return
    x = np.float64(pos[i, 0])
    y = np.float64(pos[i, 1])
    z = np.float64(pos[i, 2])
    clot = at_clot(x, y, z, h, occluded, pl_pos, pl_state, contact, grid, dims, sorted_keys, order)
    u, _, _, _ = uniform4(seed, arrest_stream, step, uid[i], 0)
    if u < (p_clot if clot else p_open):
        state[i] = ARRESTED
        fate[i] = ARREST_CLOT if clot else ARREST_OPEN
