"""Rules coupling agents to fields: the voxel an agent sits in, fixed-point
deposits of per-agent rates, and sampling of the local concentration.

Positions ``pos`` are [n, 3] float32 µm in the domain frame (origin 0, voxel
edge ``h`` µm, [nx, ny, nz] voxels, C order); agents outside the box count
in the nearest boundary voxel.
"""

import math

from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item
from alveosim.kernels.rules.voxels import voxel_of


@register_jitable
def quantum(rates, per_agent, i, scale):
    """Agent i's rate in fixed point: round(rate · scale) as int64, where
    rate = rates[i] if per_agent else rates[0]. Computed in float64 so both
    backends round identically."""
    rate = rates[i] if per_agent else rates[0]
    return int(math.floor(float(rate) * scale + 0.5))


@per_item("sample", index="i")
@register_jitable
def sample_one(pos, i, c, h, nx, ny, nz, out):
    """out[i] = c at agent i's voxel (c flat [nx*ny*nz] float32)."""
    out[i] = c[voxel_of(pos, i, h, nx, ny, nz)]
