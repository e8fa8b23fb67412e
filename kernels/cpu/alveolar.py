"""CPU launchers for alveolar macrophages (TRMs and MDMs)."""

from numba import njit, prange

from alveosim.kernels.rules.alveolar import deplete_one, move_one, recruit_one, sense_one


@njit(parallel=True, cache=True)
def sense(n, pos, state, nearest, crowding, away, t_pos, grid, dims, cell_start, order, contact, crowd_radius, search, flag_contacts, t_contact):
    for i in prange(n):
        sense_one(i, pos, state, nearest, crowding, away, t_pos, grid, dims, cell_start, order, contact, crowd_radius, search, flag_contacts, t_contact)


@njit(parallel=True, cache=True)
def move(n, pos, uid, state, crowding, away, field, labels, allowed, h, seed, stream, step, dt, chem_speed, k_grad, sigma, substeps, crowd_limit, push_speed, rim_state, box):
    for i in prange(n):
        move_one(i, pos, uid, state, crowding, away, field, labels, allowed, h, seed, stream, step, dt, chem_speed, k_grad, sigma, substeps, crowd_limit, push_speed, rim_state, box)


@njit(parallel=True, cache=True)
def deplete(n, uid, seed, stream, step, fraction, dead):
    for i in prange(n):
        deplete_one(i, uid, seed, stream, step, fraction, dead)


@njit(parallel=True, cache=True)
def recruit(m, first, pos, uid, t_pos, n_tumour, labels, h, reach, seed, stream, step):
    for k in prange(m):
        recruit_one(k, first, pos, uid, t_pos, n_tumour, labels, h, reach, seed, stream, step)
