"""CPU launchers for uniform cell lists (counting sort) and radius queries."""

from numba import njit, prange

from alveosim.kernels.rules.neighbours import assign_cell_one, link_min_one, within_one


@njit(parallel=True, cache=True)
def assign_cells(n, pos, grid, dims, cell_of):
    for i in prange(n):
        assign_cell_one(i, pos, grid, dims, cell_of)


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


@njit(parallel=True, cache=True)
def count_within(n, pos, radius, cell_of, dims, cell_start, order, offsets, out):
    """out[i] = number of agents within ``radius`` (µm) of agent i."""
    for i in prange(n):
        out[i] = within_one(i, pos, radius, cell_of, dims, cell_start, order, offsets, out)


@njit(parallel=True, cache=True)
def list_within(n, pos, radius, cell_of, dims, cell_start, order, offsets, out):
    """out[offsets[i]:offsets[i+1]] = indices of agents within ``radius`` of i."""
    for i in prange(n):
        within_one(i, pos, radius, cell_of, dims, cell_start, order, offsets, out)


@njit(parallel=True, cache=True)
def link_min(n, pos, radius, link_factor, link_distance, mask, uid, cell_of, dims, cell_start, order, root, changed):
    """One sweep of least-uid union over linked masked agents, visited in cell order."""
    for k in prange(n):
        link_min_one(order[k], pos, radius, link_factor, link_distance, mask, uid, cell_of, dims, cell_start, order, root, changed)
