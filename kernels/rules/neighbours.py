"""Uniform cell-list rules: which cell an agent is in, and the loop over the
27 cells around it. ``grid`` is float64 ``[4]`` = (x0, y0, z0, cell edge µm);
``dims`` is int64 ``[3]`` = cells per axis. Cell ids are ``(cx*ny + cy)*nz + cz``."""

import math

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item


@register_jitable
def cell_coord(x, lo, edge, n):
    """Cell index along one axis, clamped to [0, n)."""
    c = int(math.floor((x - lo) / edge))
    if c < 0:
        return 0
    if c >= n:
        return n - 1
    return c


@per_item("assign_cells")
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


@per_item("list_within")
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


@per_item("count_within")
@register_jitable
def count_within_one(i, pos, radius, cell_of, dims, cell_start, order, offsets, out):
    """out[i] = number of agents within ``radius`` (µm) of agent i
    (``within_one`` counting: ``offsets`` of size 0)."""
    out[i] = within_one(i, pos, radius, cell_of, dims, cell_start, order, offsets, out)


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


@register_jitable
def linked(pos, i, j, radius, link_factor, link_distance):
    """True when agents i and j are closer than ``link_distance + link_factor ·
    (r_i + r_j)`` µm, with r = ``radius`` (float32 [n], µm) or 0 when
    ``radius`` is empty."""
    reach = link_distance
    if radius.shape[0] > 0:
        reach += link_factor * (np.float64(radius[i]) + np.float64(radius[j]))
    dx = np.float64(pos[i, 0]) - np.float64(pos[j, 0])
    dy = np.float64(pos[i, 1]) - np.float64(pos[j, 1])
    dz = np.float64(pos[i, 2]) - np.float64(pos[j, 2])
    return dx * dx + dy * dy + dz * dz < reach * reach


@register_jitable
def root_of(root, uid, r):
    """Follow ``root`` from row r while the uid decreases: the end is a row
    that is its own root (uid[root[x]] <= uid[x] always holds)."""
    while uid[root[r]] < uid[r]:
        r = root[r]
    return r


@register_jitable
def link_min_one(i, pos, radius, link_factor, link_distance, mask, uid, cell_of, dims, cell_start, order, root, changed):
    """One sweep step of least-uid union for agent i (mask[i] != 0): find the
    least-uid root among i's own root and the roots of the masked agents
    linked to it (``linked``), hook i's root under it and point i at it;
    changed[0] = 1 on any write.

    ``root`` (int64 [n], rows) starts as the identity. Every write stores a
    row of the same connected set with a smaller uid than the slot held when
    the sweep began, whatever the thread order, so sweeps end, and at the
    fixed point every agent points at the least-uid agent of its set."""
    if mask[i] == 0:
        return
    own = root_of(root, uid, root[i])
    best = own
    base = cell_of[i]
    for k in range(27):
        c = neighbour_cell(base, k, dims)
        if c < 0:
            continue
        for s in range(cell_start[c], cell_start[c + 1]):
            j = order[s]
            if j == i or mask[j] == 0:
                continue
            if linked(pos, i, j, radius, link_factor, link_distance):
                r = root_of(root, uid, root[j])
                if uid[r] < uid[best]:
                    best = r
    if uid[best] < uid[root[own]]:
        root[own] = best
        changed[0] = 1
    if uid[best] < uid[root[i]]:
        root[i] = best
        changed[0] = 1


@per_item("link_min")
@register_jitable
def link_min_in_order(k, pos, radius, link_factor, link_distance, mask, uid, cell_of, dims, cell_start, order, root, changed):
    """``link_min_one`` for the k-th agent in cell order (agent ``order[k]``),
    so one sweep of k over 0 … n-1 visits the agents cell by cell."""
    link_min_one(order[k], pos, radius, link_factor, link_distance, mask, uid, cell_of, dims, cell_start, order, root, changed)
