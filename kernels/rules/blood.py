"""Rules of the blood species (small EVs, platelets), written once for the
CPU and CUDA launchers.

Geometry: voxel (i, j, k) covers [i·h, (i+1)·h) × … µm; ``labels`` uint8
[nx, ny, nz] (kernels/labels.py), ``occluded`` uint8 [nx, ny, nz],
``velocity`` float32 [nx, ny, nz, 3] µm/s (cell-centred). Agent positions are
float32 [n, 3] µm. The platelet cell list is sorted, sized by the agents:
``grid`` float64 [4] = (x0, y0, z0, edge µm), ``dims`` int64 [3] cells per
axis (kernels/rules/neighbours.py), ``sorted_keys`` int64 [n] the agents'
cell ids in increasing order and ``order`` int64 [n] their rows.
State codes are kernels/states.py's. Launchers run a per-agent rule on
rows ``[0, live[0])`` of a pool (``live``: its device counter, int64), so
the host never needs the live count.
"""

import math

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item
from alveosim.kernels.labels import CAPILLARY, INLET, OUTLET
from alveosim.kernels.rng import normal4, uniform4
from alveosim.kernels.rules.neighbours import cell_coord
from alveosim.kernels.rules.voxels import voxel_index
from alveosim.kernels.states import ACTIVATED, AGGREGATED, BOUND, BY_SEV, BY_SPONTANEOUS, PRIMED, RESTING

# agent fates after transport (int8)
KEEP = 0
OUTFLOW = 1
CLEARED = 2

_POISSON_NORMAL_ABOVE = 30.0


@register_jitable
def is_open(labels, occluded, ix, iy, iz):
    """True when voxel (ix, iy, iz) is inside the grid, carries blood and is not occluded."""
    if ix < 0 or iy < 0 or iz < 0:
        return False
    if ix >= labels.shape[0] or iy >= labels.shape[1] or iz >= labels.shape[2]:
        return False
    lab = labels[ix, iy, iz]
    return (lab == CAPILLARY or lab == INLET or lab == OUTLET) and occluded[ix, iy, iz] == 0


@per_item("transport", live=True)
@register_jitable
def transport_one(i, pos, uid, state, immobile, seed, stream, step, sigma, dt, h, p_clear, labels, occluded, velocity, fate):
    """Move agent i by its voxel's velocity · dt plus sigma · N(0, I3) µm
    (sigma = sqrt(2 D dt)), one axis at a time: a component that would end in
    a closed voxel (not blood, occluded or outside) is rejected. Agents whose
    ``state`` equals ``immobile`` stay. fate[i] (int8): CLEARED with
    probability p_clear (then no move), OUTFLOW when it ends in an OUTLET
    voxel, KEEP otherwise."""
    fate[i] = KEEP
    if state[i] == immobile:
        return
    if p_clear > 0.0:
        u, _, _, _ = uniform4(seed, stream, step, uid[i], 1)
        if u < p_clear:
            fate[i] = CLEARED
            return
    a, b, c, _ = normal4(seed, stream, step, uid[i], 0)
    x = pos[i, 0]
    y = pos[i, 1]
    z = pos[i, 2]
    cx = voxel_index(x, h)
    cy = voxel_index(y, h)
    cz = voxel_index(z, h)
    vx = np.float64(velocity[cx, cy, cz, 0])
    vy = np.float64(velocity[cx, cy, cz, 1])
    vz = np.float64(velocity[cx, cy, cz, 2])
    xn = np.float32(x + vx * dt + sigma * a)
    nx_ = voxel_index(xn, h)
    if nx_ == cx or is_open(labels, occluded, nx_, cy, cz):
        x = xn
        cx = nx_
    yn = np.float32(y + vy * dt + sigma * b)
    ny_ = voxel_index(yn, h)
    if ny_ == cy or is_open(labels, occluded, cx, ny_, cz):
        y = yn
        cy = ny_
    zn = np.float32(z + vz * dt + sigma * c)
    nz_ = voxel_index(zn, h)
    if nz_ == cz or is_open(labels, occluded, cx, cy, nz_):
        z = zn
        cz = nz_
    pos[i, 0] = x
    pos[i, 1] = y
    pos[i, 2] = z
    if labels[cx, cy, cz] == OUTLET:
        fate[i] = OUTFLOW


@register_jitable
def poisson(lam, seed, stream, step, key):
    """A Poisson(lam) count drawn from the counter RNG keyed by ``key``:
    Knuth's product of uniforms up to lam = 30, a rounded normal above."""
    if lam <= 0.0:
        return 0
    if lam > _POISSON_NORMAL_ABOVE:
        z, _, _, _ = normal4(seed, stream, step, key, 0)
        k = int(math.floor(lam + math.sqrt(lam) * z + 0.5))
        return k if k > 0 else 0
    limit = math.exp(-lam)
    p = 1.0
    k = 0
    for block in range(64):
        u0, u1, u2, u3 = uniform4(seed, stream, step, key, block)
        p *= u0
        if p <= limit:
            return k
        k += 1
        p *= u1
        if p <= limit:
            return k
        k += 1
        p *= u2
        if p <= limit:
            return k
        k += 1
        p *= u3
        if p <= limit:
            return k
        k += 1
    return k


@per_item("poisson_counts")
@register_jitable
def poisson_one(i, lam, keys, seed, stream, step, counts):
    """counts[i] (int64) = Poisson(lam[i]) keyed by keys[i] (a voxel id)."""
    counts[i] = poisson(lam[i], seed, stream, step, keys[i])


@per_item("place", serial_cpu=True)
@register_jitable
def place_from_one(v, offsets, voxels, dims, h, pos, uid, field, value, counter, seed, stream, step):
    """Put the births of source v (rows ``counter[0] + offsets[v]`` up to
    ``counter[0] + offsets[v + 1]``, uids ``counter[1] + k``) uniformly
    inside voxel ``voxels[v]`` and set ``field`` to ``value`` there. A row past
    the pool's capacity (pos.shape[0]) is not placed (:func:`commit_births_one`
    counts it as lost). offsets: int64 [m + 1] exclusive prefix sums of the
    births per source; voxels: int64 [m] flat voxel ids (ix·ny + iy)·nz + iz;
    counter: int64 [3] (live rows, next uid, births lost), read only."""
    vox = voxels[v]
    iz = vox % dims[2]
    iy = (vox // dims[2]) % dims[1]
    ix = vox // (dims[1] * dims[2])
    first = counter[0]
    for k in range(offsets[v], offsets[v + 1]):
        row = first + k
        if row >= pos.shape[0]:
            return
        uid[row] = counter[1] + k
        a, b, c, _ = uniform4(seed, stream, step, uid[row], 0)
        pos[row, 0] = (ix + 0.001 + 0.998 * a) * h
        pos[row, 1] = (iy + 0.001 + 0.998 * b) * h
        pos[row, 2] = (iz + 0.001 + 0.998 * c) * h
        field[row] = value


@per_item("commit_births", serial_cpu=True)
@register_jitable
def commit_births_one(i, offsets, counter, capacity, ledger, key):
    """After :func:`place_from_one`: the pool's live rows grow by the births
    that fitted, its next uid by all births, ``counter[2]`` by those that did
    not fit, and ``ledger[key]`` by those placed. One thread (i = 0)."""
    total = offsets[offsets.shape[0] - 1]
    placed = min(total, capacity - counter[0])
    counter[0] += placed
    counter[1] += total
    counter[2] += total - placed
    ledger[key] += placed


@per_item("cell_keys")
@register_jitable
def cell_key_one(i, n_live, pos, grid, dims, keys):
    """keys[i] (int64) = cell id ``(cx·ny + cy)·nz + cz`` of agent i, or
    the number of cells (after every cell) for a row at or past ``n_live[0]``."""
    if i < n_live[0]:
        cx = cell_coord(pos[i, 0], grid[0], grid[3], dims[0])
        cy = cell_coord(pos[i, 1], grid[1], grid[3], dims[1])
        cz = cell_coord(pos[i, 2], grid[2], grid[3], dims[2])
        keys[i] = (cx * dims[1] + cy) * dims[2] + cz
    else:
        keys[i] = dims[0] * dims[1] * dims[2]


@register_jitable
def first_at_least(sorted_keys, key):
    """Least index s with sorted_keys[s] >= key (binary search)."""
    lo = 0
    hi = sorted_keys.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


@register_jitable
def nearest_within(x, y, z, self_index, pos, radius, grid, dims, sorted_keys, order, state, min_state):
    """Index of the agent j != self_index nearest to (x, y, z) µm within
    ``radius`` whose state[j] >= min_state (ties: the lower index), or -1.
    The agents are sorted by cell: ``order`` (int64) lists agent rows by
    increasing ``sorted_keys`` (their cell ids, :func:`cell_key_one`); the
    3 cells along z of each of the 9 (x, y) neighbour columns are one run of
    keys, found by binary search, so the result does not depend on the order
    of agents within a cell."""
    cx = cell_coord(x, grid[0], grid[3], dims[0])
    cy = cell_coord(y, grid[1], grid[3], dims[1])
    cz = cell_coord(z, grid[2], grid[3], dims[2])
    z_lo = max(cz - 1, 0)
    z_hi = min(cz + 1, dims[2] - 1)
    best = -1
    best_d2 = radius * radius
    for kk in range(9):
        ix = cx + kk // 3 - 1
        iy = cy + kk % 3 - 1
        if ix < 0 or iy < 0 or ix >= dims[0] or iy >= dims[1]:
            continue
        column = (ix * dims[1] + iy) * dims[2]
        start = first_at_least(sorted_keys, column + z_lo)
        end = first_at_least(sorted_keys, column + z_hi + 1)
        for s in range(start, end):
            j = order[s]
            if j == self_index or state[j] < min_state:
                continue
            dx = np.float64(pos[j, 0]) - x
            dy = np.float64(pos[j, 1]) - y
            dz = np.float64(pos[j, 2]) - z
            d2 = dx * dx + dy * dy + dz * dz
            if d2 < best_d2 or (d2 == best_d2 and best >= 0 and j < best):
                best = j
                best_d2 = d2
    return best


@register_jitable
def is_blocked(seed, block_stream, uid, theta):
    """True when the antibody coats the β2 of EV ``uid``: a step-independent
    uniform u of (seed, block_stream, uid) below the blocked fraction θ. The
    draw is fixed per EV, so the decision holds for its whole life at a fixed
    θ, and when θ changes the same u is compared with the new θ (a rising θ
    only adds blocked EVs)."""
    if theta <= 0.0:
        return False
    u, _, _, _ = uniform4(seed, block_stream, 0, uid, 0)
    return u < theta


@per_item("bind", live=True)
@register_jitable
def bind_one(i, ev_pos, ev_uid, ev_state, beta2, fate, seed, stream, step, p_bind, theta, block_stream, pl_pos, pl_state, radius, grid, dims, sorted_keys, order, target):
    """A free EV still in the blood (``fate[i]`` KEEP after this step's
    transport, :func:`transport_one`) with beta2 > 0 whose β2 is not antibody-blocked
    (``is_blocked`` with fraction θ) binds, with probability p_bind =
    1 − exp(−k_bind·dt), the nearest platelet within ``radius`` µm:
    target[i] = its row and ev_state[i] = BOUND; else -1. A blocked EV
    never binds."""
    target[i] = -1
    if fate[i] != KEEP or ev_state[i] != 0 or beta2[i] <= 0.0:
        return
    if is_blocked(seed, block_stream, ev_uid[i], theta):
        return
    u, _, _, _ = uniform4(seed, stream, step, ev_uid[i], 0)
    if u >= p_bind:
        return
    j = nearest_within(np.float64(ev_pos[i, 0]), np.float64(ev_pos[i, 1]), np.float64(ev_pos[i, 2]), -1, pl_pos, radius, grid, dims, sorted_keys, order, pl_state, 0)
    if j >= 0:
        target[i] = j
        ev_state[i] = BOUND


@register_jitable
def removal_key(i, fate, state, removed_state, outflow_key, cleared_key, removed_key):
    """The ledger entry agent i leaves its pool under this step, -1 when it
    stays: ``outflow_key`` for fate OUTFLOW, ``cleared_key`` for CLEARED,
    ``removed_key`` when its state is ``removed_state`` (EVs: BOUND; 255 for
    none). fate: int8 [n] from :func:`transport_one`."""
    f = fate[i]
    if f == OUTFLOW:
        return outflow_key
    if f == CLEARED:
        return cleared_key
    if state[i] == removed_state:
        return removed_key
    return -1


@per_item("activate", live=True)
@register_jitable
def activate_one(i, uid, state, n_bound, timer, activated_by, bonds_to_prime, delay, p_spont, dt, seed, stream, step):
    """Platelet state machine for one step of dt s: resting → primed when
    n_bound ≥ bonds_to_prime, else → activated spontaneously with probability
    p_spont; primed → activated once its timer reaches ``delay`` s."""
    s = state[i]
    if s == RESTING:
        if n_bound[i] >= bonds_to_prime:
            state[i] = PRIMED
            timer[i] = 0.0
            if delay <= 0.0:
                state[i] = ACTIVATED
                activated_by[i] = BY_SEV
        elif p_spont > 0.0:
            u, _, _, _ = uniform4(seed, stream, step, uid[i], 0)
            if u < p_spont:
                state[i] = ACTIVATED
                activated_by[i] = BY_SPONTANEOUS
    elif s == PRIMED:
        timer[i] = timer[i] + dt
        if timer[i] >= delay:
            state[i] = ACTIVATED
            activated_by[i] = BY_SEV


@per_item("join", live=True)
@register_jitable
def join_one(i, pos, uid, state, seed, stream, step, p_join, radius, grid, dims, sorted_keys, order, join):
    """An activated platelet joins, with probability p_join, its nearest
    activated or aggregated neighbour within ``radius`` µm: join[i] = 1 and
    join[partner] = 1 (both become aggregated; every writer writes 1)."""
    if state[i] != ACTIVATED:
        return
    j = nearest_within(np.float64(pos[i, 0]), np.float64(pos[i, 1]), np.float64(pos[i, 2]), i, pos, radius, grid, dims, sorted_keys, order, state, ACTIVATED)
    if j < 0:
        return
    u, _, _, _ = uniform4(seed, stream, step, uid[i], 0)
    if u < p_join:
        join[i] = 1
        join[j] = 1


@per_item("apply_join", live=True, serial_cpu=True)
@register_jitable
def apply_join_one(i, state, join, uid, aggregate):
    """Activated platelets marked in ``join`` become aggregated, labelled by their own uid."""
    if join[i] != 0 and state[i] == ACTIVATED:
        state[i] = AGGREGATED
        aggregate[i] = uid[i]
