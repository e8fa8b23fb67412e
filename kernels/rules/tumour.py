"""Rules of tumour cells, written once for the CPU and CUDA launchers:
confinement to allowed voxels, centre-based repulsion (one Jacobi sweep),
EMT motility, growth through the cell cycle, division, death and EMT.

Geometry: voxel (i, j, k) covers [i·h, (i+1)·h) × … µm; ``labels`` uint8
[nx, ny, nz] (kernels/labels.py); a position outside the grid is never allowed.
Agents: ``pos`` float32 [n, 3] µm, ``radius`` float32 [n] µm, ``volume``
float32 [n] µm³, ``state`` uint8 [n] (EPITHELIAL, EMT), ``cycle`` float32 [n]
(fraction of the cycle done), ``cycle_time`` float32 [n] s, ``uid`` int64 [n].
Cell lists as in kernels/rules/neighbours.py; the repulsion reads agents
sorted by cell (``gather_one``, ``take_row_one``) so a cell's neighbours are
contiguous slots. Float32 values are read as
float64 before arithmetic so both backends round identically.
"""

import math

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item
from alveosim.kernels.labels import AIR, SEPTUM
from alveosim.kernels.rng import normal4, uniform4
from alveosim.kernels.rules.voxels import voxel_index

EPITHELIAL = 0
EMT = 1

_FOUR_THIRDS_PI = 4.0 / 3.0 * math.pi
_MASK16 = 0xFFFF
_NEWBORN_TRIES = 4
FIXED_SCALE = 4294967296.0  # 2^32 fixed-point units per µm in the repulsion sum

# Sweep states of ``repel_one`` (status[0], float64)
RUNNING = 1.0
CONVERGED = 0.0
FROZEN = -1.0


@register_jitable
def block_bounds(cell, dims):
    """The 3×3×3 block of cells around ``cell`` clipped to the grid, as
    (lo, hi) cell coordinates per axis (hi exclusive). Cells are C-ordered
    ``(cx*ny + cy)*nz + cz``, so for fixed (cx, cy) the z-range is one
    contiguous run of cells whose agents are ``order[cell_start[row + lo_z]
    : cell_start[row + hi_z]]`` — visited in the order of neighbour_cell."""
    nz = dims[2]
    ny = dims[1]
    cz = cell % nz
    cy = (cell // nz) % ny
    cx = cell // (ny * nz)
    lo = (max(cx - 1, 0), max(cy - 1, 0), max(cz - 1, 0))
    hi = (min(cx + 2, dims[0]), min(cy + 2, ny), min(cz + 2, nz))
    return lo, hi


@register_jitable
def radius_of(volume):
    """Radius (µm) of a sphere of ``volume`` µm³."""
    return (volume / _FOUR_THIRDS_PI) ** (1.0 / 3.0)


@register_jitable
def allowed(labels, ix, iy, iz, cell_state):
    """True when voxel (ix, iy, iz) is in the grid and open to a cell of
    ``cell_state``: AIR for epithelial cells, AIR or SEPTUM for EMT cells."""
    if ix < 0 or iy < 0 or iz < 0:
        return False
    if ix >= labels.shape[0] or iy >= labels.shape[1] or iz >= labels.shape[2]:
        return False
    lab = labels[ix, iy, iz]
    return lab == AIR or (cell_state == EMT and lab == SEPTUM)


@register_jitable
def confined_move(i, pos, dx, dy, dz, cell_state, labels, h, out):
    """out[i] = pos[i] + (dx, dy, dz) µm, one axis at a time: a component
    whose float32 result lies in another voxel that is not ``allowed`` is
    rejected (moves within the current voxel always pass, so a cell that
    arrived in a closed voxel can stay there but never enters another)."""
    x = np.float64(pos[i, 0])
    y = np.float64(pos[i, 1])
    z = np.float64(pos[i, 2])
    cx = voxel_index(x, h)
    cy = voxel_index(y, h)
    cz = voxel_index(z, h)
    xn = np.float64(np.float32(x + dx))
    nx_ = voxel_index(xn, h)
    if nx_ == cx or allowed(labels, nx_, cy, cz, cell_state):
        x = xn
        cx = nx_
    yn = np.float64(np.float32(y + dy))
    ny_ = voxel_index(yn, h)
    if ny_ == cy or allowed(labels, cx, ny_, cz, cell_state):
        y = yn
        cy = ny_
    zn = np.float64(np.float32(z + dz))
    nz_ = voxel_index(zn, h)
    if nz_ == cz or allowed(labels, cx, cy, nz_, cell_state):
        z = zn
    out[i, 0] = x
    out[i, 1] = y
    out[i, 2] = z


@register_jitable
def fixed(v):
    """v (float64) in fixed point (int64 units of 1/FIXED_SCALE): sums of
    these are exact, so they do not depend on the order of the terms."""
    return np.int64(math.floor(v * FIXED_SCALE + 0.5))


@register_jitable
def _push(k, j, dx, dy, dz, d2, ri, rj, uid, seed, stream, key):
    """Push of touching agent j on agent k (centre offset (dx, dy, dz) = k − j,
    d2 its square, µm; radii ri, rj) in fixed point (int64 x, y, z; see
    ``repel_one``), and their overlap / smaller radius."""
    reach = ri + rj
    d = math.sqrt(d2)
    push = 0.5 * (reach - d)
    f = (reach - d) / min(ri, rj)
    if d > 1e-6 * reach:
        along = push / d
        return fixed(along * dx), fixed(along * dy), fixed(along * dz), f
    first = min(uid[k], uid[j])
    second = max(uid[k], uid[j])
    a, b, e, _ = normal4(seed, stream, key, first, (second - first) & _MASK16)
    norm = math.sqrt(a * a + b * b + e * e) + 1e-12
    sign = 1.0 if uid[k] < uid[j] else -1.0
    return fixed(sign * push * a / norm), fixed(sign * push * b / norm), fixed(sign * push * e / norm), f


@register_jitable
def _pair(k, j, xi, yi, zi, ri, pos, radius, uid, seed, stream, key):
    """:func:`_push` of agent j on agent k at (xi, yi, zi) of radius ri when
    they overlap, else zero push and overlap 0."""
    rj = np.float64(radius[j])
    dx = xi - np.float64(pos[j, 0])
    dy = yi - np.float64(pos[j, 1])
    dz = zi - np.float64(pos[j, 2])
    d2 = dx * dx + dy * dy + dz * dz
    if d2 < (ri + rj) * (ri + rj):
        return _push(k, j, dx, dy, dz, d2, ri, rj, uid, seed, stream, key)
    return np.int64(0), np.int64(0), np.int64(0), 0.0


@register_jitable
def _listed(k, xi, yi, zi, ri, pos, radius, uid, nbr, count, seed, stream, key):
    """Fixed-point push on agent k at (xi, yi, zi) of radius ri from the
    ``count`` agents listed in nbr[k], and its largest overlap / smaller radius."""
    fx = np.int64(0)
    fy = np.int64(0)
    fz = np.int64(0)
    worst = 0.0
    for q in range(count):
        j = nbr[k, q]
        px, py, pz, f = _pair(k, j, xi, yi, zi, ri, pos, radius, uid, seed, stream, key)
        fx += px
        fy += py
        fz += pz
        worst = max(worst, f)
    return fx, fy, fz, worst


@register_jitable
def _scanned(k, xi, yi, zi, ri, pos, radius, uid, cell, dims, cell_start, seed, stream, key):
    """As ``_listed`` over the agents of the 27 cells around slot k."""
    fx = np.int64(0)
    fy = np.int64(0)
    fz = np.int64(0)
    worst = 0.0
    lo, hi = block_bounds(cell[k], dims)
    for ax in range(lo[0], hi[0]):
        for ay in range(lo[1], hi[1]):
            row = (ax * dims[1] + ay) * dims[2]
            for j in range(cell_start[row + lo[2]], cell_start[row + hi[2]]):
                if j == k:
                    continue
                px, py, pz, f = _pair(k, j, xi, yi, zi, ri, pos, radius, uid, seed, stream, key)
                fx += px
                fy += py
                fz += pz
                worst = max(worst, f)
    return fx, fy, fz, worst


@per_item("neighbour_list")
@register_jitable
def list_one(k, pos, cell, dims, cell_start, reach, nbr, n_nbr):
    """Verlet list of sorted slot k: nbr[k] (int32 [≥n, K]) lists the slots of
    the 27 cells around it within ``reach`` µm (the largest contact distance
    plus the skin, at most the cell edge; the first K − 1 of them, the last
    column taking the candidates that are not, so the loop does not branch)
    and n_nbr[k] counts them."""
    xi = np.float64(pos[k, 0])
    yi = np.float64(pos[k, 1])
    zi = np.float64(pos[k, 2])
    width = nbr.shape[1] - 1
    reach2 = reach * reach
    count = 0
    lo, hi = block_bounds(cell[k], dims)
    for ax in range(lo[0], hi[0]):
        for ay in range(lo[1], hi[1]):
            row = (ax * dims[1] + ay) * dims[2]
            for j in range(cell_start[row + lo[2]], cell_start[row + hi[2]]):
                dx = xi - np.float64(pos[j, 0])
                dy = yi - np.float64(pos[j, 1])
                dz = zi - np.float64(pos[j, 2])
                nbr[k, min(count, width)] = j
                count += 1 if (dx * dx + dy * dy + dz * dz < reach2) & (j != k) else 0
    n_nbr[k] = count


@per_item("repel")
@register_jitable
def repel_one(k, pos, radius, state, uid, cell, dims, cell_start, anchor, status, nbr, n_nbr, labels, h, stiffness, max_disp, seed, stream, key,
              out, overlap, moved):
    """One Jacobi sweep for the agent in sorted slot k (agents sorted by cell:
    slot ranges ``cell_start[c]:cell_start[c+1]``, ``cell[k]`` the slot's
    cell, every row array in slot order): displacement = stiffness · Σ_j ½
    overlap_kj along the unit vector from j to k, over neighbours j with
    centre distance d < r_k + r_j (overlap = r_k + r_j − d), capped at
    ``max_disp`` µm, then moved with ``confined_move`` into out[k].

    Neighbours: the n_nbr[k] slots listed in nbr[k] by ``list_one`` at the
    last cell-list build, or the 27 cells around slot k when they did not fit
    (n_nbr[k] >= nbr.shape[1]). The list holds every contact while no agent
    has moved more than half the skin from its ``anchor``.

    Reads ``pos`` only, writes row k of ``out``, ``overlap`` (float32: the
    largest (r_k + r_j − d) / min(r_k, r_j) at ``pos``, 0 when touching none)
    and ``moved`` (float32: µm from ``anchor[k]`` to out[k]). The sum is in
    fixed point (``fixed``), so the result depends neither on thread order
    nor on the order or source of the neighbours. Coincident centres separate
    along a direction keyed by (seed, stream, key, the pair's uids), opposite
    for the two cells.

    ``status[0]`` (float64) is the sweep state (``Relaxation``): RUNNING
    computes; CONVERGED leaves out[k] as it is (it already holds the
    positions that met the tolerance); FROZEN copies pos[k] to out[k]."""
    live = status[0]
    if live == CONVERGED:
        return
    if live == FROZEN:
        out[k, 0] = pos[k, 0]
        out[k, 1] = pos[k, 1]
        out[k, 2] = pos[k, 2]
        return
    xi = np.float64(pos[k, 0])
    yi = np.float64(pos[k, 1])
    zi = np.float64(pos[k, 2])
    ri = np.float64(radius[k])
    if n_nbr[k] < nbr.shape[1]:
        fx, fy, fz, worst = _listed(k, xi, yi, zi, ri, pos, radius, uid, nbr, n_nbr[k], seed, stream, key)
    else:
        fx, fy, fz, worst = _scanned(k, xi, yi, zi, ri, pos, radius, uid, cell, dims, cell_start, seed, stream, key)
    overlap[k] = worst
    mx = stiffness * (np.float64(fx) / FIXED_SCALE)
    my = stiffness * (np.float64(fy) / FIXED_SCALE)
    mz = stiffness * (np.float64(fz) / FIXED_SCALE)
    size = math.sqrt(mx * mx + my * my + mz * mz)
    if size > max_disp:
        scale = max_disp / size
        mx *= scale
        my *= scale
        mz *= scale
    confined_move(k, pos, mx, my, mz, state[k], labels, h, out)
    ex = np.float64(out[k, 0]) - np.float64(anchor[k, 0])
    ey = np.float64(out[k, 1]) - np.float64(anchor[k, 1])
    ez = np.float64(out[k, 2]) - np.float64(anchor[k, 2])
    moved[k] = math.sqrt(ex * ex + ey * ey + ez * ez)


@per_item("max_overlap")
@register_jitable
def overlap_one(k, pos, radius, cell, dims, cell_start, out):
    """out[k] (float32) = the largest overlap (r_k + r_j − d) / min(r_k, r_j)
    of the agent in sorted slot k with any neighbour j (0 when it touches
    none); arrays in slot order as in ``repel_one``."""
    xi = np.float64(pos[k, 0])
    yi = np.float64(pos[k, 1])
    zi = np.float64(pos[k, 2])
    ri = np.float64(radius[k])
    worst = 0.0
    lo, hi = block_bounds(cell[k], dims)
    for ax in range(lo[0], hi[0]):
        for ay in range(lo[1], hi[1]):
            row = (ax * dims[1] + ay) * dims[2]
            for j in range(cell_start[row + lo[2]], cell_start[row + hi[2]]):
                if j == k:
                    continue
                rj = np.float64(radius[j])
                dx = xi - np.float64(pos[j, 0])
                dy = yi - np.float64(pos[j, 1])
                dz = zi - np.float64(pos[j, 2])
                f = (ri + rj - math.sqrt(dx * dx + dy * dy + dz * dz)) / min(ri, rj)
                if f > worst:
                    worst = f
    out[k] = worst


@per_item("gather")
@register_jitable
def gather_one(k, order, cell_of, radius, state, uid, cell, radius_s, state_s, uid_s):
    """Slot k of the cell-sorted copies takes row order[k] of the pool arrays
    (and ``cell[k]`` its cell id)."""
    i = order[k]
    cell[k] = cell_of[i]
    radius_s[k] = radius[i]
    state_s[k] = state[i]
    uid_s[k] = uid[i]


@per_item("take_rows")
@register_jitable
def take_row_one(k, order, src, dst):
    """dst[k] = src[order[k]] (rows of 3; pool order → slot order)."""
    i = order[k]
    for a in range(3):
        dst[k, a] = src[i, a]


@per_item("put_rows")
@register_jitable
def put_row_one(k, order, src, dst):
    """dst[order[k]] = src[k] (rows of 3; slot order → pool order)."""
    i = order[k]
    for a in range(3):
        dst[i, a] = src[k, a]


@per_item("motility")
@register_jitable
def motility_one(i, pos, state, uid, labels, h, sigma, seed, stream, step):
    """EMT cells step by sigma · N(0, I3) µm (sigma = sqrt(2 D dt)), confined;
    epithelial cells stay. In place: a cell reads and writes only its own row."""
    if state[i] != EMT:
        return
    a, b, c, _ = normal4(seed, stream, step, uid[i], 0)
    confined_move(i, pos, sigma * a, sigma * b, sigma * c, state[i], labels, h, pos)


@per_item("grow")
@register_jitable
def grow_one(i, volume, radius, cycle, cycle_time, n_neigh, crowding_limit, dt, divide):
    """Advance cell i through its cycle by dt / cycle_time and its volume by
    the factor 2^(dt / cycle_time) (from V/2 at birth to V at cycle 1), radius
    following the volume — unless it has more than ``crowding_limit``
    neighbours (contact inhibition). divide[i] = 1 when cycle >= 1, else 0."""
    if n_neigh[i] <= crowding_limit:
        f = dt / np.float64(cycle_time[i])
        cycle[i] = np.float64(cycle[i]) + f
        v = np.float64(volume[i]) * 2.0**f
        volume[i] = v
        radius[i] = radius_of(np.float64(np.float32(v)))
    divide[i] = 1 if cycle[i] >= 1.0 else 0


@register_jitable
def cycle_time_draw(seed, stream, step, key, mean, sigma_ln):
    """A log-normal cycle time (s) with mean ``mean`` and log-sd ``sigma_ln``,
    keyed by (seed, stream, step, key)."""
    z, _, _, _ = normal4(seed, stream, step, key, 0)
    return mean * math.exp(sigma_ln * z - 0.5 * sigma_ln * sigma_ln)


@register_jitable
def _daughter(row, v, r, left, volume, radius, cycle, cycle_time, uid, seed, stream, step, mean_cycle, sigma_ln):
    """Set one daughter's volume, radius, cycle and keyed cycle time."""
    volume[row] = v
    radius[row] = r
    cycle[row] = left
    cycle_time[row] = cycle_time_draw(seed, stream, step, uid[row], mean_cycle, sigma_ln)


@per_item("divide")
@register_jitable
def divide_one(k, first, parent, pos, radius, volume, cycle, cycle_time, state, uid, labels, h, seed, cycle_stream, birth_stream, step, mean_cycle, sigma_ln, offset_factor):
    """Split parent row parent[k] and its newborn row first + k (a copy of the
    parent made by ``AgentPool.spawn``): each gets half the parent's volume
    (exact in float32, so volume is conserved), cycle − 1 and a fresh keyed
    cycle time. The newborn sits offset_factor · r from the parent along the
    first of a few keyed random directions whose voxel the cell may occupy
    (same voxel as the parent, or ``allowed``), else on top of the parent."""
    p = parent[k]
    c = first + k
    v = np.float32(np.float64(volume[p]) * 0.5)
    r = radius_of(np.float64(v))
    left = np.float64(cycle[p]) - 1.0
    _daughter(p, v, r, left, volume, radius, cycle, cycle_time, uid, seed, cycle_stream, step, mean_cycle, sigma_ln)
    _daughter(c, v, r, left, volume, radius, cycle, cycle_time, uid, seed, cycle_stream, step, mean_cycle, sigma_ln)
    x = np.float64(pos[p, 0])
    y = np.float64(pos[p, 1])
    z = np.float64(pos[p, 2])
    px = voxel_index(x, h)
    py = voxel_index(y, h)
    pz = voxel_index(z, h)
    offset = offset_factor * r
    for block in range(_NEWBORN_TRIES):
        a, b, e, _ = normal4(seed, birth_stream, step, uid[c], block)
        norm = math.sqrt(a * a + b * b + e * e) + 1e-12
        xn = np.float64(np.float32(x + offset * a / norm))
        yn = np.float64(np.float32(y + offset * b / norm))
        zn = np.float64(np.float32(z + offset * e / norm))
        ix = voxel_index(xn, h)
        iy = voxel_index(yn, h)
        iz = voxel_index(zn, h)
        if (ix == px and iy == py and iz == pz) or allowed(labels, ix, iy, iz, state[p]):
            pos[c, 0] = xn
            pos[c, 1] = yn
            pos[c, 2] = zn
            return


@per_item("death")
@register_jitable
def death_one(i, uid, suppression, seed, stream, step, k_dt, s_max, k_s, dead):
    """dead[i] = 1 with probability 1 − exp(−k_dt · (1 − s_max · S/(S + K_S)))
    at the local suppression S = suppression[i] (a.u.; k_dt = k_death · dt)."""
    s = np.float64(suppression[i])
    if s < 0.0:
        s = 0.0
    hazard = k_dt * (1.0 - s_max * s / (s + k_s))
    u, _, _, _ = uniform4(seed, stream, step, uid[i], 0)
    dead[i] = 1 if u < -math.expm1(-hazard) else 0


@per_item("emt")
@register_jitable
def emt_one(i, uid, state, emt_factor, trm_contact, seed, stream, step, k_dt, k_e, w_contact):
    """Epithelial cell i turns EMT (irreversibly) with probability
    1 − exp(−k_dt · (E/(E + K_E) + w_contact · trm_contact[i])) at the local
    emt_factor E = emt_factor[i] (a.u.; k_dt = k_emt · dt)."""
    if state[i] != EPITHELIAL:
        return
    e = np.float64(emt_factor[i])
    if e < 0.0:
        e = 0.0
    drive = e / (e + k_e) + w_contact * np.float64(trm_contact[i])
    u, _, _, _ = uniform4(seed, stream, step, uid[i], 0)
    if u < -math.expm1(-k_dt * drive):
        state[i] = EMT


@per_item("crowding")
@register_jitable
def crowding_one(k, pos, order, cell_of, dims, cell_start, radius, out):
    """out[order[k]] (int32) = number of other agents within ``radius`` µm of
    the agent in sorted slot k (``pos`` [≥n, 3] float32 in slot order, from
    ``take_row_one``); distances in float32 as in kernels/rules/neighbours.py
    ``distance2``, so the count equals its ``within_one``."""
    i = order[k]
    r2 = radius * radius
    count = 0
    lo, hi = block_bounds(cell_of[i], dims)
    for ax in range(lo[0], hi[0]):
        for ay in range(lo[1], hi[1]):
            row = (ax * dims[1] + ay) * dims[2]
            for j in range(cell_start[row + lo[2]], cell_start[row + hi[2]]):
                dx = pos[k, 0] - pos[j, 0]
                dy = pos[k, 1] - pos[j, 1]
                dz = pos[k, 2] - pos[j, 2]
                if j != k and dx * dx + dy * dy + dz * dz < r2:
                    count += 1
    out[i] = count
