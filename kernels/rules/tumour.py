"""Rules of tumour cells, written once for the CPU and CUDA launchers:
confinement to allowed voxels, centre-based repulsion (one Jacobi sweep),
EMT motility, growth through the cell cycle, division, death and EMT.

Geometry: voxel (i, j, k) covers [i·h, (i+1)·h) × … µm; ``labels`` uint8
[nx, ny, nz] (kernels/labels.py); a position outside the grid is never allowed.
Agents: ``pos`` float32 [n, 3] µm, ``radius`` float32 [n] µm, ``volume``
float32 [n] µm³, ``state`` uint8 [n] (EPITHELIAL, EMT), ``cycle`` float32 [n]
(fraction of the cycle done), ``cycle_time`` float32 [n] s, ``uid`` int64 [n].
Cell lists as in kernels/rules/neighbours.py. Float32 values are read as
float64 before arithmetic so both backends round identically.
"""

import math

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.labels import AIR, SEPTUM
from alveosim.kernels.rng import normal4, uniform4
from alveosim.kernels.rules.voxels import voxel_index

EPITHELIAL = 0
EMT = 1

_FOUR_THIRDS_PI = 4.0 / 3.0 * math.pi
_MASK16 = 0xFFFF
_NEWBORN_TRIES = 4


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
def repel_one(i, pos, radius, state, uid, cell_of, dims, cell_start, order, labels, h, stiffness, max_disp, seed, stream, key, out):
    """One Jacobi sweep for cell i: displacement = stiffness · Σ_j ½ overlap_ij
    along the unit vector from j to i, over neighbours j with centre distance
    d < r_i + r_j (overlap = r_i + r_j − d), capped at ``max_disp`` µm, then
    moved with ``confined_move`` into out[i]. Reads ``pos`` only, writes
    ``out`` only, and sums in cell-list order, so the result does not depend
    on thread order. Coincident centres separate along a direction keyed by
    (seed, stream, key, the pair's uids), opposite for the two cells."""
    xi = np.float64(pos[i, 0])
    yi = np.float64(pos[i, 1])
    zi = np.float64(pos[i, 2])
    ri = np.float64(radius[i])
    fx = 0.0
    fy = 0.0
    fz = 0.0
    lo, hi = block_bounds(cell_of[i], dims)
    for ax in range(lo[0], hi[0]):
        for ay in range(lo[1], hi[1]):
            row = (ax * dims[1] + ay) * dims[2]
            for s in range(cell_start[row + lo[2]], cell_start[row + hi[2]]):
                j = order[s]
                if j == i:
                    continue
                reach = ri + np.float64(radius[j])
                dx = xi - np.float64(pos[j, 0])
                dy = yi - np.float64(pos[j, 1])
                dz = zi - np.float64(pos[j, 2])
                d2 = dx * dx + dy * dy + dz * dz
                if d2 >= reach * reach:
                    continue
                d = math.sqrt(d2)
                push = 0.5 * (reach - d)
                if d > 1e-6 * reach:
                    fx += push * dx / d
                    fy += push * dy / d
                    fz += push * dz / d
                else:
                    first = min(uid[i], uid[j])
                    second = max(uid[i], uid[j])
                    a, b, e, _ = normal4(seed, stream, key, first, (second - first) & _MASK16)
                    norm = math.sqrt(a * a + b * b + e * e) + 1e-12
                    sign = 1.0 if uid[i] < uid[j] else -1.0
                    fx += sign * push * a / norm
                    fy += sign * push * b / norm
                    fz += sign * push * e / norm
    fx *= stiffness
    fy *= stiffness
    fz *= stiffness
    size = math.sqrt(fx * fx + fy * fy + fz * fz)
    if size > max_disp:
        scale = max_disp / size
        fx *= scale
        fy *= scale
        fz *= scale
    confined_move(i, pos, fx, fy, fz, state[i], labels, h, out)


@register_jitable
def overlap_one(i, pos, radius, cell_of, dims, cell_start, order, out):
    """out[i] (float32) = the largest overlap (r_i + r_j − d) / min(r_i, r_j)
    of cell i with any neighbour j (0 when it touches none)."""
    xi = np.float64(pos[i, 0])
    yi = np.float64(pos[i, 1])
    zi = np.float64(pos[i, 2])
    ri = np.float64(radius[i])
    worst = 0.0
    lo, hi = block_bounds(cell_of[i], dims)
    for ax in range(lo[0], hi[0]):
        for ay in range(lo[1], hi[1]):
            row = (ax * dims[1] + ay) * dims[2]
            for s in range(cell_start[row + lo[2]], cell_start[row + hi[2]]):
                j = order[s]
                if j == i:
                    continue
                rj = np.float64(radius[j])
                dx = xi - np.float64(pos[j, 0])
                dy = yi - np.float64(pos[j, 1])
                dz = zi - np.float64(pos[j, 2])
                d = math.sqrt(dx * dx + dy * dy + dz * dz)
                f = (ri + rj - d) / min(ri, rj)
                if f > worst:
                    worst = f
    out[i] = worst


@register_jitable
def motility_one(i, pos, state, uid, labels, h, sigma, seed, stream, step):
    """EMT cells step by sigma · N(0, I3) µm (sigma = sqrt(2 D dt)), confined;
    epithelial cells stay. In place: a cell reads and writes only its own row."""
    if state[i] != EMT:
        return
    a, b, c, _ = normal4(seed, stream, step, uid[i], 0)
    confined_move(i, pos, sigma * a, sigma * b, sigma * c, state[i], labels, h, pos)


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
