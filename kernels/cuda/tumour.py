"""CUDA launchers for tumour cells (rules in kernels/rules/tumour.py)."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.tumour import death_one, divide_one, emt_one, grow_one, motility_one, overlap_one, repel_one


@cuda.jit(cache=True)
def _repel(n, pos, radius, state, uid, cell_of, dims, cell_start, order, labels, h, stiffness, max_disp, seed, stream, key, out):
    """One Jacobi repulsion sweep: out[i] from pos (see repel_one)."""
    i = cuda.grid(1)
    if i < n:
        repel_one(i, pos, radius, state, uid, cell_of, dims, cell_start, order, labels, h, stiffness, max_disp, seed, stream, key, out)


@cuda.jit(cache=True)
def _max_overlap(n, pos, radius, cell_of, dims, cell_start, order, out):
    """out[i] = cell i's largest overlap / smaller radius."""
    i = cuda.grid(1)
    if i < n:
        overlap_one(i, pos, radius, cell_of, dims, cell_start, order, out)


@cuda.jit(cache=True)
def _motility(n, pos, state, uid, labels, h, sigma, seed, stream, step):
    """Confined random step of EMT cells (in place)."""
    i = cuda.grid(1)
    if i < n:
        motility_one(i, pos, state, uid, labels, h, sigma, seed, stream, step)


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
max_overlap = grid1d(_max_overlap)
motility = grid1d(_motility)
grow = grid1d(_grow)
divide = grid1d(_divide)
death = grid1d(_death)
emt = grid1d(_emt)
