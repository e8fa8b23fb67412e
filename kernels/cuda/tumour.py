"""CUDA launchers for tumour cells (rules in kernels/rules/tumour.py)."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.tumour import (crowding_one, death_one, divide_one, emt_one, gather_one, grow_one, list_one, motility_one, overlap_one, put_row_one, repel_one,
                                          take_row_one)


@cuda.jit(cache=True)
def _repel(n, pos, radius, state, uid, cell, dims, cell_start, anchor, status, nbr, n_nbr, labels, h, stiffness, max_disp, seed, stream, key, out,
           overlap, moved):
    """One Jacobi repulsion sweep over cell-sorted slots: out[k] from pos (see repel_one)."""
    k = cuda.grid(1)
    if k < n:
        repel_one(k, pos, radius, state, uid, cell, dims, cell_start, anchor, status, nbr, n_nbr, labels, h, stiffness, max_disp, seed, stream, key,
                  out, overlap, moved)


@cuda.jit(cache=True)
def _neighbour_list(n, pos, cell, dims, cell_start, reach, nbr, n_nbr):
    """Verlet lists of the cell-sorted slots (see list_one)."""
    k = cuda.grid(1)
    if k < n:
        list_one(k, pos, cell, dims, cell_start, reach, nbr, n_nbr)


@cuda.jit(cache=True)
def _max_overlap(n, pos, radius, cell, dims, cell_start, out):
    """out[k] = slot k's largest overlap / smaller radius."""
    k = cuda.grid(1)
    if k < n:
        overlap_one(k, pos, radius, cell, dims, cell_start, out)


@cuda.jit(cache=True)
def _gather(n, order, cell_of, radius, state, uid, cell, radius_s, state_s, uid_s):
    """Cell-sorted copies of the per-agent columns (see gather_one)."""
    k = cuda.grid(1)
    if k < n:
        gather_one(k, order, cell_of, radius, state, uid, cell, radius_s, state_s, uid_s)


@cuda.jit(cache=True)
def _take_rows(n, order, src, dst):
    """dst[k] = src[order[k]]: positions into slot order."""
    k = cuda.grid(1)
    if k < n:
        take_row_one(k, order, src, dst)


@cuda.jit(cache=True)
def _put_rows(n, order, src, dst):
    """dst[order[k]] = src[k]: positions back into pool order."""
    k = cuda.grid(1)
    if k < n:
        put_row_one(k, order, src, dst)


@cuda.jit(cache=True)
def _motility(n, pos, state, uid, labels, h, sigma, seed, stream, step):
    """Confined random step of EMT cells (in place)."""
    i = cuda.grid(1)
    if i < n:
        motility_one(i, pos, state, uid, labels, h, sigma, seed, stream, step)


@cuda.jit(cache=True)
def _crowding(n, pos, order, cell_of, dims, cell_start, radius, out):
    """out[order[k]] = agents within ``radius`` of slot k (see crowding_one)."""
    k = cuda.grid(1)
    if k < n:
        crowding_one(k, pos, order, cell_of, dims, cell_start, radius, out)


@cuda.jit(cache=True)
def _grow(n, volume, radius, cycle, cycle_time, n_neigh, crowding_limit, dt, divide):
    """Cycle and volume growth; divide[i] = 1 when the cycle is complete."""
    i = cuda.grid(1)
    if i < n:
        grow_one(i, volume, radius, cycle, cycle_time, n_neigh, crowding_limit, dt, divide)


@cuda.jit(cache=True)
def _divide(n, first, parent, pos, radius, volume, cycle, cycle_time, state, uid, labels, h, seed, cycle_stream, birth_stream, step, mean_cycle, sigma_ln, offset_factor):
    """Split n parents and their newborns (rows first..first+n)."""
    i = cuda.grid(1)
    if i < n:
        divide_one(i, first, parent, pos, radius, volume, cycle, cycle_time, state, uid, labels, h, seed, cycle_stream, birth_stream, step, mean_cycle, sigma_ln, offset_factor)


@cuda.jit(cache=True)
def _death(n, uid, suppression, seed, stream, step, k_dt, s_max, k_s, dead):
    """dead[i] = 1 with the suppressed death probability."""
    i = cuda.grid(1)
    if i < n:
        death_one(i, uid, suppression, seed, stream, step, k_dt, s_max, k_s, dead)


@cuda.jit(cache=True)
def _emt(n, uid, state, emt_factor, trm_contact, seed, stream, step, k_dt, k_e, w_contact):
    """Epithelial → EMT switches."""
    i = cuda.grid(1)
    if i < n:
        emt_one(i, uid, state, emt_factor, trm_contact, seed, stream, step, k_dt, k_e, w_contact)


repel = grid1d(_repel)
neighbour_list = grid1d(_neighbour_list)
max_overlap = grid1d(_max_overlap)
gather = grid1d(_gather)
take_rows = grid1d(_take_rows)
put_rows = grid1d(_put_rows)
motility = grid1d(_motility)
crowding = grid1d(_crowding)
grow = grid1d(_grow)
divide = grid1d(_divide)
death = grid1d(_death)
emt = grid1d(_emt)
