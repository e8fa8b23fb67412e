"""CUDA launchers for uniform cell lists (counting sort) and radius queries.

The counting sort counts and scatters with integer atomics, then sorts each
cell's segment by agent index, so the order is the CPU's: deterministic.
"""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.neighbours import assign_cell_one, link_min_one, sort_segment, within_one


@cuda.jit(cache=True)
def _assign_cells(n, pos, grid, dims, cell_of):
    i = cuda.grid(1)
    if i < n:
        assign_cell_one(i, pos, grid, dims, cell_of)


@cuda.jit(cache=True)
def _count_cells(n, cell_of, cell_start):
    i = cuda.grid(1)
    if i < n:
        cuda.atomic.add(cell_start, cell_of[i] + 1, 1)


@cuda.jit(cache=True)
def _scatter(n, cell_of, cursor, order):
    i = cuda.grid(1)
    if i < n:
        slot = cuda.atomic.add(cursor, cell_of[i], 1)
        order[slot] = i


@cuda.jit(cache=True)
def _sort_cells(n_cells, cell_start, order):
    c = cuda.grid(1)
    if c < n_cells:
        sort_segment(order, cell_start[c], cell_start[c + 1])


@cuda.jit(cache=True)
def _count_within(n, pos, radius, cell_of, dims, cell_start, order, offsets, out):
    i = cuda.grid(1)
    if i < n:
        out[i] = within_one(i, pos, radius, cell_of, dims, cell_start, order, offsets, out)


@cuda.jit(cache=True)
def _list_within(n, pos, radius, cell_of, dims, cell_start, order, offsets, out):
    i = cuda.grid(1)
    if i < n:
        within_one(i, pos, radius, cell_of, dims, cell_start, order, offsets, out)


@cuda.jit(cache=True)
def _link_min(n, pos, radius, link_factor, link_distance, mask, uid, cell_of, dims, cell_start, order, root, changed):
    k = cuda.grid(1)
    if k < n:
        link_min_one(order[k], pos, radius, link_factor, link_distance, mask, uid, cell_of, dims, cell_start, order, root, changed)


assign_cells = grid1d(_assign_cells)
count_within = grid1d(_count_within)
list_within = grid1d(_list_within)
link_min = grid1d(_link_min)


def counting_sort(n, cell_of, cell_start, cursor, order):
    """Same contract as the CPU ``counting_sort``."""
    n_cells = cell_start.shape[0] - 1
    cell_start[:] = 0
    grid1d(_count_cells)(n, cell_of, cell_start)
    cell_start[1:] = cell_start[1:].cumsum()
    cursor[:] = cell_start[:-1]
    grid1d(_scatter)(n, cell_of, cursor, order)
    grid1d(_sort_cells)(n_cells, cell_start, order)
