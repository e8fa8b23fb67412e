"""CUDA launchers for uniform cell lists (counting sort) and radius queries:
the rules of kernels/rules/neighbours.py declared with ``per_item`` as
kernels (kernels/per_item.py), and the counting sort.

The counting sort counts and scatters with integer atomics, then sorts each
cell's segment by agent index, so the order is the CPU's: deterministic.
"""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import neighbours as rules
from alveosim.kernels.rules.neighbours import sort_segment

globals().update(cuda_launchers(rules))


# Hand-written on both backends: atomics and a per-cell sort here, a serial count and scatter on the CPU.
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


def counting_sort(n, cell_of, cell_start, cursor, order):
    """Same contract as the CPU ``counting_sort``."""
    n_cells = cell_start.shape[0] - 1
    cell_start[:] = 0
    grid1d(_count_cells)(n, cell_of, cell_start)
    cell_start[1:] = cell_start[1:].cumsum()
    cursor[:] = cell_start[:-1]
    grid1d(_scatter)(n, cell_of, cursor, order)
    grid1d(_sort_cells)(n_cells, cell_start, order)
