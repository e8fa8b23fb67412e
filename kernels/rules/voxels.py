"""Voxel indices of positions, computed here only.

Voxel (i, j, k) covers [i·h, (i+1)·h) × [j·h, (j+1)·h) × [k·h, (k+1)·h) µm
(voxel edge ``h`` µm, origin 0); a flat index is C order, (i·ny + j)·nz + k,
over [nx, ny, nz] voxels. Positions ``pos`` are [n, 3] float32 µm.
"""

import math

from numba.extending import register_jitable


@register_jitable
def voxel_index(x, h):
    """Voxel index along one axis of the coordinate x (µm), unclamped (may
    lie outside the grid)."""
    return int(math.floor(x / h))


@register_jitable
def clamped_voxel_index(x, h, n):
    """Voxel index along an axis of n voxels of the coordinate x (µm),
    clamped into [0, n)."""
    return min(max(voxel_index(x, h), 0), n - 1)


@register_jitable
def voxel_of(pos, i, h, nx, ny, nz):
    """Flat index of the voxel holding agent i, clamped into the grid (an
    agent outside the box counts in the nearest boundary voxel)."""
    a = clamped_voxel_index(pos[i, 0], h, nx)
    b = clamped_voxel_index(pos[i, 1], h, ny)
    d = clamped_voxel_index(pos[i, 2], h, nz)
    return (a * ny + b) * nz + d


@register_jitable
def flat_voxel(pos, i, h, dims):
    """:func:`voxel_of` with the grid shape as an array ``dims`` (int64 [3])."""
    return voxel_of(pos, i, h, dims[0], dims[1], dims[2])
