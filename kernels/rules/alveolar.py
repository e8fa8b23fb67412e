"""Rules of alveolar macrophages (TRMs and MDMs share them): the cross-species
query against a tumour-cell list (nearest tumour cell, crowding, contact
flags, the resident → tumour-associated switch), chemotactic/random/crowding
motion confined to allowed voxels, depletion draws and the placement of
recruited MDMs.

Geometry: voxel (i, j, k) covers [i·h, (i+1)·h) × … µm; ``labels`` uint8
[nx, ny, nz] (kernels/labels.py); ``allowed`` uint8 [n_labels] (1 where a
macrophage may be). Cell lists (kernels/rules/neighbours.py): ``grid``
float64 [4] = (x0, y0, z0, edge µm), ``dims`` int64 [3], ``cell_start``
int64 [n_cells + 1], ``order`` int64 [≥n] (agent indices sorted by cell).
Positions are [n, 3] float32 µm, read as float64 before arithmetic.
State codes match sim/alveolar/species.py.
"""

import math

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.labels import AIR, CAPILLARY, INLET, OUTLET, SEPTUM
from alveosim.kernels.per_item import per_item
from alveosim.kernels.rng import normal4, uniform4
from alveosim.kernels.rules.neighbours import cell_coord
from alveosim.kernels.rules.voxels import clamped_voxel_index
from alveosim.kernels.rules.walker import reflect

RESIDENT = 0  # trm "resident", mdm "recruited"
TUMOUR_ASSOCIATED = 1
RIM = 2  # trm only: a tumour-associated TRM that crowding has pushed outward
NO_TUMOUR_UM = 1e9  # nearest_tumour_um when no tumour cell is within the search radius


@per_item("sense")
@register_jitable
def sense_one(i, pos, state, nearest, crowding, away, t_pos, grid, dims, cell_start, order, contact, crowd_radius, search, flag_contacts, t_contact):
    """One macrophage's view of the tumour cells in a cell list.

    Visits the cells in shells of growing Chebyshev distance s around the
    macrophage's cell and stops once every unvisited cell lies farther than
    the search radius, the nearest tumour cell found and the crowding and
    contact radii (cells of shell s+1 are ≥ s·edge µm away), so any cell-list
    edge works. Writes nearest[i] (µm, float32; NO_TUMOUR_UM when none within
    ``search``), crowding[i] (int32: tumour cells within ``crowd_radius``),
    away[i] (float32 [3]: unit vector from the centroid of those cells to the
    macrophage; 0 when none or coincident). When ``flag_contacts`` is 1 sets
    t_contact[j] = 1 for every tumour cell j within ``contact`` µm (same value
    from every writer: no race in the result). A macrophage in state RESIDENT
    with a tumour cell within ``contact`` becomes TUMOUR_ASSOCIATED; the switch
    is one-way (tumour-associated macrophages do not revert).
    """
    x = np.float64(pos[i, 0])
    y = np.float64(pos[i, 1])
    z = np.float64(pos[i, 2])
    edge = grid[3]
    cx = cell_coord(x, grid[0], edge, dims[0])
    cy = cell_coord(y, grid[1], edge, dims[1])
    cz = cell_coord(z, grid[2], edge, dims[2])
    contact2 = contact * contact
    crowd2 = crowd_radius * crowd_radius
    reach = max(contact, crowd_radius)
    best2 = search * search
    found = False
    count = 0
    sx = 0.0
    sy = 0.0
    sz = 0.0
    s_max = max(dims[0], max(dims[1], dims[2]))
    s = 0
    while s <= s_max:
        for a in range(cx - s, cx + s + 1):
            if a < 0 or a >= dims[0]:
                continue
            for b in range(cy - s, cy + s + 1):
                if b < 0 or b >= dims[1]:
                    continue
                stride = 1
                if abs(a - cx) != s and abs(b - cy) != s:
                    stride = 2 * s  # inside the shell's x/y faces: only its two z faces
                for c in range(cz - s, cz + s + 1, stride):
                    if c < 0 or c >= dims[2]:
                        continue
                    cell = (a * dims[1] + b) * dims[2] + c
                    for q in range(cell_start[cell], cell_start[cell + 1]):
                        j = order[q]
                        dx = np.float64(t_pos[j, 0]) - x
                        dy = np.float64(t_pos[j, 1]) - y
                        dz = np.float64(t_pos[j, 2]) - z
                        d2 = dx * dx + dy * dy + dz * dz
                        if d2 < best2:
                            best2 = d2
                            found = True
                        if d2 < crowd2:
                            count += 1
                            sx += dx
                            sy += dy
                            sz += dz
                        if flag_contacts == 1 and d2 < contact2:
                            t_contact[j] = 1
        bound = s * edge
        if bound >= reach and (bound >= search or (found and best2 <= bound * bound)):
            break
        s += 1
    if found:
        nearest[i] = math.sqrt(best2)
        if state[i] == RESIDENT and best2 < contact2:
            state[i] = TUMOUR_ASSOCIATED
    else:
        nearest[i] = NO_TUMOUR_UM
    crowding[i] = count
    norm = math.sqrt(sx * sx + sy * sy + sz * sz)
    if count > 0 and norm > 0.0:
        away[i, 0] = -sx / norm
        away[i, 1] = -sy / norm
        away[i, 2] = -sz / norm
    else:
        away[i, 0] = 0.0
        away[i, 1] = 0.0
        away[i, 2] = 0.0


@register_jitable
def allowed_at(labels, allowed, a, b, c):
    """True when voxel (a, b, c) is in the grid and its label is allowed."""
    if a < 0 or b < 0 or c < 0 or a >= labels.shape[0] or b >= labels.shape[1] or c >= labels.shape[2]:
        return False
    return allowed[labels[a, b, c]] != 0


@register_jitable
def axis_gradient(lo, hi, steps, h):
    """(hi - lo) / (steps · h), 0 for steps == 0 (float64)."""
    if steps == 0:
        return 0.0
    return (np.float64(hi) - np.float64(lo)) / (steps * h)


@register_jitable
def gradient_at(field, x, y, z, h):
    """Central-difference gradient (field unit / µm) of ``field`` float32
    [nx, ny, nz] at the voxel holding (x, y, z); one-sided at the grid edge."""
    nx = field.shape[0]
    ny = field.shape[1]
    nz = field.shape[2]
    a = clamped_voxel_index(x, h, nx)
    b = clamped_voxel_index(y, h, ny)
    c = clamped_voxel_index(z, h, nz)
    a0 = max(a - 1, 0)
    a1 = min(a + 1, nx - 1)
    b0 = max(b - 1, 0)
    b1 = min(b + 1, ny - 1)
    c0 = max(c - 1, 0)
    c1 = min(c + 1, nz - 1)
    gx = axis_gradient(field[a0, b, c], field[a1, b, c], a1 - a0, h)
    gy = axis_gradient(field[a, b0, c], field[a, b1, c], b1 - b0, h)
    gz = axis_gradient(field[a, b, c0], field[a, b, c1], c1 - c0, h)
    return gx, gy, gz


@per_item("move")
@register_jitable
def move_one(i, pos, uid, state, crowding, away, field, labels, allowed, h, seed, stream, step, dt, chem_speed, k_grad, sigma, substeps, crowd_limit, push_speed, rim_state, box):
    """Move macrophage i for dt s in ``substeps`` equal sub-steps (so that no
    sub-step moves it much more than a voxel: drift and walls are re-read
    along the way).

    Drift (µm/s): a tumour-associated (or rim) macrophage with more than
    ``crowd_limit`` tumour cells within the crowding radius (crowding[i]) and
    push_speed > 0 moves at ``push_speed`` along away[i] (outward from the
    local tumour centroid) and, when rim_state > 0, takes state rim_state;
    otherwise it chemotaxes at chem_speed · |∇S| / (|∇S| + k_grad) along ∇S,
    S = ``field`` (k_grad in field unit/µm), the gradient taken where the cell
    is at each sub-step. Random motility adds sigma · N(0, I3) µm over the
    step (sigma = sqrt(2 D dt)), keyed by (seed, stream, step, uid[i]) and the
    sub-step. Each sub-step's position is reflected into ``box`` (x0, y0, z0,
    x1, y1, z1 µm) and applied one axis at a time: a component ending in a
    voxel whose label is not allowed is rejected.
    """
    x = np.float64(pos[i, 0])
    y = np.float64(pos[i, 1])
    z = np.float64(pos[i, 2])
    nx = labels.shape[0]
    ny = labels.shape[1]
    nz = labels.shape[2]
    ci = clamped_voxel_index(x, h, nx)
    cj = clamped_voxel_index(y, h, ny)
    ck = clamped_voxel_index(z, h, nz)
    dts = dt / substeps
    sigma_s = sigma / math.sqrt(substeps)
    pushed = False
    px = 0.0
    py = 0.0
    pz = 0.0
    if push_speed > 0.0 and state[i] != RESIDENT and crowding[i] > crowd_limit:
        ax = np.float64(away[i, 0])
        ay = np.float64(away[i, 1])
        az = np.float64(away[i, 2])
        if ax * ax + ay * ay + az * az > 0.0:
            px = push_speed * ax
            py = push_speed * ay
            pz = push_speed * az
            pushed = True
            if rim_state > 0:
                state[i] = rim_state
    for k in range(substeps):
        vx = px
        vy = py
        vz = pz
        if not pushed and chem_speed > 0.0:
            gx, gy, gz = gradient_at(field, x, y, z, h)
            g = math.sqrt(gx * gx + gy * gy + gz * gz)
            if g > 0.0:
                f = chem_speed / (g + k_grad)
                vx = f * gx
                vy = f * gy
                vz = f * gz
        a, b, c, _ = normal4(seed, stream, step, uid[i], k)
        xn = np.float64(np.float32(reflect(x + vx * dts + sigma_s * a, box[0], box[3])))
        ni = clamped_voxel_index(xn, h, nx)
        if allowed_at(labels, allowed, ni, cj, ck):
            x = xn
            ci = ni
        yn = np.float64(np.float32(reflect(y + vy * dts + sigma_s * b, box[1], box[4])))
        nj = clamped_voxel_index(yn, h, ny)
        if allowed_at(labels, allowed, ci, nj, ck):
            y = yn
            cj = nj
        zn = np.float64(np.float32(reflect(z + vz * dts + sigma_s * c, box[2], box[5])))
        nk = clamped_voxel_index(zn, h, nz)
        if allowed_at(labels, allowed, ci, cj, nk):
            z = zn
            ck = nk
    pos[i, 0] = x
    pos[i, 1] = y
    pos[i, 2] = z


@per_item("deplete")
@register_jitable
def deplete_one(i, uid, seed, stream, step, fraction, dead):
    """dead[i] = True with probability ``fraction`` (one uniform keyed by uid[i])."""
    u, _, _, _ = uniform4(seed, stream, step, uid[i], 0)
    dead[i] = u < fraction


@register_jitable
def is_blood(label):
    return label == CAPILLARY or label == INLET or label == OUTLET


@register_jitable
def next_to_blood(labels, a, b, c):
    """True when one of the six face neighbours of voxel (a, b, c) carries blood."""
    nx = labels.shape[0]
    ny = labels.shape[1]
    nz = labels.shape[2]
    if a > 0 and is_blood(labels[a - 1, b, c]):
        return True
    if a + 1 < nx and is_blood(labels[a + 1, b, c]):
        return True
    if b > 0 and is_blood(labels[a, b - 1, c]):
        return True
    if b + 1 < ny and is_blood(labels[a, b + 1, c]):
        return True
    if c > 0 and is_blood(labels[a, b, c - 1]):
        return True
    if c + 1 < nz and is_blood(labels[a, b, c + 1]):
        return True
    return False


@per_item("recruit")
@register_jitable
def recruit_one(k, first, pos, uid, t_pos, n_tumour, labels, h, reach, seed, stream, step):
    """Place the new MDM in row first + k: pick a tumour cell j uniformly
    (keyed by the MDM's uid), then the AIR or SEPTUM voxel next to a blood
    voxel whose centre is nearest to cell j within ``reach`` µm (the MDM has
    just left a capillary); if there is none, the nearest AIR or SEPTUM voxel
    within reach; if none either, cell j's own voxel. Ties go to the lowest
    flat index. The MDM sits at a uniform point of the voxel's central 80 %."""
    r = first + k
    u0, u1, u2, u3 = uniform4(seed, stream, step, uid[r], 0)
    j = min(int(u0 * n_tumour), n_tumour - 1)
    x = np.float64(t_pos[j, 0])
    y = np.float64(t_pos[j, 1])
    z = np.float64(t_pos[j, 2])
    nx = labels.shape[0]
    ny = labels.shape[1]
    nz = labels.shape[2]
    ci = clamped_voxel_index(x, h, nx)
    cj = clamped_voxel_index(y, h, ny)
    ck = clamped_voxel_index(z, h, nz)
    m = int(math.ceil(reach / h))
    reach2 = reach * reach
    best_entry = -1
    best_entry_d2 = reach2
    best_tissue = -1
    best_tissue_d2 = reach2
    for a in range(max(ci - m, 0), min(ci + m + 1, nx)):
        dx = (a + 0.5) * h - x
        for b in range(max(cj - m, 0), min(cj + m + 1, ny)):
            dy = (b + 0.5) * h - y
            for c in range(max(ck - m, 0), min(ck + m + 1, nz)):
                lab = labels[a, b, c]
                if lab != AIR and lab != SEPTUM:
                    continue
                dz = (c + 0.5) * h - z
                d2 = dx * dx + dy * dy + dz * dz
                if d2 <= best_tissue_d2 and (best_tissue < 0 or d2 < best_tissue_d2):
                    best_tissue = (a * ny + b) * nz + c
                    best_tissue_d2 = d2
                if d2 <= best_entry_d2 and (best_entry < 0 or d2 < best_entry_d2) and next_to_blood(labels, a, b, c):
                    best_entry = (a * ny + b) * nz + c
                    best_entry_d2 = d2
    v = best_entry
    if v < 0:
        v = best_tissue
    if v < 0:
        v = (ci * ny + cj) * nz + ck
    vk = v % nz
    vj = (v // nz) % ny
    vi = v // (ny * nz)
    pos[r, 0] = (vi + 0.1 + 0.8 * u1) * h
    pos[r, 1] = (vj + 0.1 + 0.8 * u2) * h
    pos[r, 2] = (vk + 0.1 + 0.8 * u3) * h
