"""Rules of haemostasis at an injury, written once for the CPU and CUDA
launchers: platelets tether to exposed subendothelium through GPIb–vWF, and
to the growing plug. No rule here reads a platelet's bound sEVs.

Geometry as in kernels/rules/blood.py: voxel (i, j, k) covers
[i·h, (i+1)·h) × … µm, platelet positions float32 [n, 3] µm, the sorted
platelet cell list (``grid``, ``dims``, ``sorted_keys``, ``order``).
``walls`` uint8 [nx, ny, nz]: for each blood voxel at the injury, a bit per
face that borders injured wall (bit 0 the −x face at x = i·h, bit 1 the +x
face at (i+1)·h, bits 2–3 y, bits 4–5 z); 0 elsewhere.
"""

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item
from alveosim.kernels.rng import uniform4
from alveosim.kernels.rules.blood import nearest_within
from alveosim.kernels.rules.voxels import voxel_index
from alveosim.kernels.states import AGGREGATED, BY_INJURY


@register_jitable
def wall_distance(x, y, z, h, ix, iy, iz, faces):
    """Distance (µm) from (x, y, z) in voxel (ix, iy, iz) to the nearest face
    flagged in the bit set ``faces``; inf when none is flagged."""
    best = np.inf
    for axis in range(3):
        c = x if axis == 0 else (y if axis == 1 else z)
        k = ix if axis == 0 else (iy if axis == 1 else iz)
        if faces & (1 << (2 * axis)):
            best = min(best, c - k * h)
        if faces & (1 << (2 * axis + 1)):
            best = min(best, (k + 1) * h - c)
    return best


@per_item("tether", live=True)
@register_jitable
def tether_one(i, pos, uid, state, activated_by, walls, h, contact, p_wall, p_plug, radius, grid, dims, sorted_keys, order, seed, stream, step, capture):
    """capture[i] (uint8) = 1 when platelet i, not yet aggregated, tethers this
    step: within ``contact`` µm of injured wall with probability p_wall, or
    (an independent draw) with probability p_plug when a plug platelet
    (activated_by == BY_INJURY, the highest code, held only by captured
    platelets) lies within ``radius`` µm. Decides only (no platelet's state
    or activated_by changes in this launch, so the reads see the step's
    start); :func:`capture_one` applies."""
    capture[i] = 0
    if state[i] == AGGREGATED:
        return
    x = np.float64(pos[i, 0])
    y = np.float64(pos[i, 1])
    z = np.float64(pos[i, 2])
    u_wall, u_plug, _, _ = uniform4(seed, stream, step, uid[i], 0)
    if p_wall > 0.0:
        ix = voxel_index(x, h)
        iy = voxel_index(y, h)
        iz = voxel_index(z, h)
        faces = walls[ix, iy, iz]
        if u_wall < p_wall and faces != 0 and wall_distance(x, y, z, h, ix, iy, iz, faces) <= contact:
            capture[i] = 1
            return
    if u_plug < p_plug and nearest_within(x, y, z, i, pos, radius, grid, dims, sorted_keys, order, activated_by, BY_INJURY) >= 0:
        capture[i] = 1


@per_item("capture", live=True)
@register_jitable
def capture_one(i, state, activated_by, aggregate, uid, capture, plug):
    """A platelet marked in ``capture`` becomes aggregated (immobile, labelled
    by its own uid) and part of the plug (activated_by = BY_INJURY);
    plug[i] (uint8) = 1 for every aggregated platelet of the plug."""
    if capture[i] != 0:
        state[i] = AGGREGATED
        activated_by[i] = BY_INJURY
        aggregate[i] = uid[i]
    plug[i] = 1 if (state[i] == AGGREGATED and activated_by[i] == BY_INJURY) else 0
