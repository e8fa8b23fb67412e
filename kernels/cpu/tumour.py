"""CPU launchers for tumour cells (rules in kernels/rules/tumour.py)."""

from numba import njit, prange

from alveosim.kernels.rules.tumour import death_one, divide_one, emt_one, grow_one, motility_one, overlap_one, repel_one


@njit(parallel=True, cache=True)
def repel(n, pos, radius, state, uid, cell_of, dims, cell_start, order, labels, h, stiffness, max_disp, seed, stream, key, out):
    """One Jacobi repulsion sweep: out[i] from pos (see repel_one)."""
    for i in prange(n):
        repel_one(i, pos, radius, state, uid, cell_of, dims, cell_start, order, labels, h, stiffness, max_disp, seed, stream, key, out)


@njit(parallel=True, cache=True)
def max_overlap(n, pos, radius, cell_of, dims, cell_start, order, out):
    """out[i] = cell i's largest overlap / smaller radius."""
    for i in prange(n):
        overlap_one(i, pos, radius, cell_of, dims, cell_start, order, out)


@njit(parallel=True, cache=True)
def motility(n, pos, state, uid, labels, h, sigma, seed, stream, step):
    """Confined random step of EMT cells (in place)."""
    for i in prange(n):
        motility_one(i, pos, state, uid, labels, h, sigma, seed, stream, step)


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
