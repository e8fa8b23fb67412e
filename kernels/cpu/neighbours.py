"""CPU launchers for uniform cell lists (counting sort) and radius queries:
the rules of kernels/rules/neighbours.py declared with ``per_item`` as
``prange`` loops (kernels/per_item.py), and the counting sort."""

from numba import njit

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import neighbours as rules

globals().update(cpu_launchers(rules))


# Hand-written on both backends: a serial count and scatter here, atomics and a per-cell sort on CUDA.
@njit(cache=True)
def counting_sort(n, cell_of, cell_start, cursor, order):
    """Sort agent indices by cell: ``order[cell_start[c]:cell_start[c+1]]`` are
    the agents of cell c in increasing index. cell_start: [n_cells+1] int64;
    cursor: [n_cells] int64 scratch; order: [>=n] int64."""
    cell_start[:] = 0
    for i in range(n):
        cell_start[cell_of[i] + 1] += 1
    for c in range(1, cell_start.shape[0]):
        cell_start[c] += cell_start[c - 1]
    cursor[:] = cell_start[:-1]
    for i in range(n):
        c = cell_of[i]
        order[cursor[c]] = i
        cursor[c] += 1
