"""CPU launchers for tumour cells (rules in kernels/rules/tumour.py)."""

from numba import njit, prange

from alveosim.kernels.rules.tumour import (crowding_one, death_one, divide_one, emt_one, gather_one, grow_one, list_one, motility_one, overlap_one, put_row_one, repel_one,
                                          take_row_one)


@njit(parallel=True, cache=True)
def repel(n, pos, radius, state, uid, cell, dims, cell_start, anchor, status, nbr, n_nbr, labels, h, stiffness, max_disp, seed, stream, key, out,
          overlap, moved):
    """One Jacobi repulsion sweep over cell-sorted slots: out[k] from pos (see repel_one)."""
    for k in prange(n):
        repel_one(k, pos, radius, state, uid, cell, dims, cell_start, anchor, status, nbr, n_nbr, labels, h, stiffness, max_disp, seed, stream, key,
                  out, overlap, moved)


@njit(parallel=True, cache=True)
def neighbour_list(n, pos, cell, dims, cell_start, reach, nbr, n_nbr):
    """Verlet lists of the cell-sorted slots (see list_one)."""
    for k in prange(n):
        list_one(k, pos, cell, dims, cell_start, reach, nbr, n_nbr)


@njit(parallel=True, cache=True)
def max_overlap(n, pos, radius, cell, dims, cell_start, out):
    """out[k] = slot k's largest overlap / smaller radius."""
    for k in prange(n):
        overlap_one(k, pos, radius, cell, dims, cell_start, out)


@njit(parallel=True, cache=True)
def gather(n, order, cell_of, radius, state, uid, cell, radius_s, state_s, uid_s):
    """Cell-sorted copies of the per-agent columns (see gather_one)."""
    for k in prange(n):
        gather_one(k, order, cell_of, radius, state, uid, cell, radius_s, state_s, uid_s)


@njit(parallel=True, cache=True)
def take_rows(n, order, src, dst):
    """dst[k] = src[order[k]]: positions into slot order."""
    for k in prange(n):
        take_row_one(k, order, src, dst)


@njit(parallel=True, cache=True)
def put_rows(n, order, src, dst):
    """dst[order[k]] = src[k]: positions back into pool order."""
    for k in prange(n):
        put_row_one(k, order, src, dst)


@njit(parallel=True, cache=True)
def motility(n, pos, state, uid, labels, h, sigma, seed, stream, step):
    """Confined random step of EMT cells (in place)."""
    for i in prange(n):
        motility_one(i, pos, state, uid, labels, h, sigma, seed, stream, step)


@njit(parallel=True, cache=True)
def crowding(n, pos, order, cell_of, dims, cell_start, radius, out):
    """out[order[k]] = agents within ``radius`` of slot k (see crowding_one)."""
    for k in prange(n):
        crowding_one(k, pos, order, cell_of, dims, cell_start, radius, out)


@njit(parallel=True, cache=True)
def grow(n, volume, radius, cycle, cycle_time, n_neigh, crowding_limit, dt, divide):
    """Cycle and volume growth; divide[i] = 1 when the cycle is complete."""
    for i in prange(n):
        grow_one(i, volume, radius, cycle, cycle_time, n_neigh, crowding_limit, dt, divide)


@njit(parallel=True, cache=True)
def divide(n, first, parent, pos, radius, volume, cycle, cycle_time, state, uid, labels, h, seed, cycle_stream, birth_stream, step, mean_cycle, sigma_ln, offset_factor):
    """Split n parents and their newborns (rows first..first+n)."""
    for i in prange(n):
        divide_one(i, first, parent, pos, radius, volume, cycle, cycle_time, state, uid, labels, h, seed, cycle_stream, birth_stream, step, mean_cycle, sigma_ln, offset_factor)


@njit(parallel=True, cache=True)
def death(n, uid, suppression, seed, stream, step, k_dt, s_max, k_s, dead):
    """dead[i] = 1 with the suppressed death probability."""
    for i in prange(n):
        death_one(i, uid, suppression, seed, stream, step, k_dt, s_max, k_s, dead)


@njit(parallel=True, cache=True)
def emt(n, uid, state, emt_factor, trm_contact, seed, stream, step, k_dt, k_e, w_contact):
    """Epithelial → EMT switches."""
    for i in prange(n):
        emt_one(i, uid, state, emt_factor, trm_contact, seed, stream, step, k_dt, k_e, w_contact)
