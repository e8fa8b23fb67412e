"""CUDA launchers for alveolar macrophages (TRMs and MDMs)."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.alveolar import deplete_one, move_one, recruit_one, sense_one


@cuda.jit(cache=True)
def _sense(n, pos, state, nearest, crowding, away, t_pos, grid, dims, cell_start, order, contact, crowd_radius, search, flag_contacts, t_contact):
    i = cuda.grid(1)
    if i < n:
        sense_one(i, pos, state, nearest, crowding, away, t_pos, grid, dims, cell_start, order, contact, crowd_radius, search, flag_contacts, t_contact)


@cuda.jit(cache=True)
def _move(n, pos, uid, state, crowding, away, field, labels, allowed, h, seed, stream, step, dt, chem_speed, k_grad, sigma, substeps, crowd_limit, push_speed, rim_state, box):
    i = cuda.grid(1)
    if i < n:
        move_one(i, pos, uid, state, crowding, away, field, labels, allowed, h, seed, stream, step, dt, chem_speed, k_grad, sigma, substeps, crowd_limit, push_speed, rim_state, box)


@cuda.jit(cache=True)
def _deplete(n, uid, seed, stream, step, fraction, dead):
    i = cuda.grid(1)
    if i < n:
        deplete_one(i, uid, seed, stream, step, fraction, dead)


@cuda.jit(cache=True)
def _recruit(m, first, pos, uid, t_pos, n_tumour, labels, h, reach, seed, stream, step):
    k = cuda.grid(1)
    if k < m:
        recruit_one(k, first, pos, uid, t_pos, n_tumour, labels, h, reach, seed, stream, step)


sense = grid1d(_sense)
move = grid1d(_move)
deplete = grid1d(_deplete)
recruit = grid1d(_recruit)
