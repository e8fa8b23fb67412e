"""Uniform cell-list rules: which cell an agent is in, and the loop over the
27 cells around it. ``grid`` is float64 ``[4]`` = (x0, y0, z0, cell edge µm);
``dims`` is int64 ``[3]`` = cells per axis. Cell ids are ``(cx*ny + cy)*nz + cz``."""

import math

from numba.extending import register_jitable


@register_jitable
def cell_coord(x, lo, edge, n):
    """Cell index along one axis, clamped to [0, n)."""
    c = int(math.floor((x - lo) / edge))
    if c < 0:
        return 0
    if c >= n:
        return n - 1
    return c


@register_jitable
def assign_cell_one(i, pos, grid, dims, cell_of):
    """cell_of[i] = id of the cell holding pos[i] (pos: [n, 3] float32, µm)."""
    cx = cell_coord(pos[i, 0], grid[0], grid[3], dims[0])
    cy = cell_coord(pos[i, 1], grid[1], grid[3], dims[1])
    cz = cell_coord(pos[i, 2], grid[2], grid[3], dims[2])
    cell_of[i] = (cx * dims[1] + cy) * dims[2] + cz


@register_jitable
def neighbour_cell(cell, k, dims):
    """Id of the k-th (0..26) cell of the 3x3x3 block around ``cell``, or -1 outside."""
    cz = cell % dims[2]
    cy = (cell // dims[2]) % dims[1]
    cx = cell // (dims[1] * dims[2])
    x = cx + k // 9 - 1
    y = cy + (k // 3) % 3 - 1
    z = cz + k % 3 - 1
    if x < 0 or y < 0 or z < 0 or x >= dims[0] or y >= dims[1] or z >= dims[2]:
        return -1
    return (x * dims[1] + y) * dims[2] + z


@register_jitable
def distance2(pos, i, j):
    """Squared distance between agents i and j (µm²)."""
    dx = pos[i, 0] - pos[j, 0]
    dy = pos[i, 1] - pos[j, 1]
    dz = pos[i, 2] - pos[j, 2]
    return dx * dx + dy * dy + dz * dz


@register_jitable
def within_one(i, pos, radius, cell_of, dims, cell_start, order, offsets, out):
    """Count (``offsets`` is None-like: size 0) or list the agents j != i within
    ``radius`` of agent i. When listing, writes their indices to
    ``out[offsets[i]:offsets[i+1]]``; returns the count either way."""
    r2 = radius * radius
    count = 0
    base = cell_of[i]
    for k in range(27):
        c = neighbour_cell(base, k, dims)
        if c < 0:
            continue
        for s in range(cell_start[c], cell_start[c + 1]):
            j = order[s]
            if j != i and distance2(pos, i, j) < r2:
                if offsets.shape[0] > 0:
                    out[offsets[i] + count] = j
                count += 1
    return count


@register_jitable
def sort_segment(order, start, end):
    """Insertion-sort order[start:end] ascending (cells hold few agents)."""
    for a in range(start + 1, end):
        v = order[a]
        b = a - 1
        while b >= start and order[b] > v:
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = v
