"""Rules of the lung-lattice generator: jittered Voronoi seeds,
and per voxel the two nearest seeds, the distance to their bisector plane
(septum / capillary sheet mid-layer) and the tissue posts in the sheet.

Grids are C-ordered: voxel v = (i * ny + j) * nz + k; the seed grid likewise.
"""

import math

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.rng import uniform4
from alveosim.kernels import labels as _labels
from alveosim.kernels.per_item import per_item

AIR = np.uint8(_labels.AIR)
SEPTUM = np.uint8(_labels.SEPTUM)
CAPILLARY = np.uint8(_labels.CAPILLARY)
POST = np.uint8(_labels.POST)
INLET = np.uint8(_labels.INLET)
OUTLET = np.uint8(_labels.OUTLET)


@per_item("place_seeds")
@register_jitable
def place_seed_one(s, gdims, origin, spacing, jitter, seed, stream, seeds):
    """seeds[s] ([n_seeds, 3] float64, µm) = centre of seed-grid cell s moved by
    jitter * spacing * U(-1/2, 1/2) per axis. gdims int64 [3]; origin float64 [3], µm."""
    gy = gdims[1]
    gz = gdims[2]
    a = s // (gy * gz)
    b = (s // gz) % gy
    c = s % gz
    u0, u1, u2, _ = uniform4(seed, stream, 0, s, 0)
    seeds[s, 0] = origin[0] + (a + 0.5 + jitter * (u0 - 0.5)) * spacing
    seeds[s, 1] = origin[1] + (b + 0.5 + jitter * (u1 - 0.5)) * spacing
    seeds[s, 2] = origin[2] + (c + 0.5 + jitter * (u2 - 0.5)) * spacing


@register_jitable
def _cell(x, origin, spacing, n):
    c = int(math.floor((x - origin) / spacing))
    return min(max(c, 0), n - 1)


@register_jitable
def _gap(x, origin, spacing, a):
    """Distance (µm) from coordinate x to seed-grid cell a's slab along one
    axis (0 inside it): a lower bound on the distance to that cell's seed."""
    lo = origin + a * spacing
    if x < lo:
        return lo - x
    hi = lo + spacing
    return x - hi if x > hi else 0.0


@per_item("label_voxels")
@register_jitable
def label_voxel_one(v, shape, h, seeds, gdims, origin, spacing, half_septum, half_capillary,
                    post_spacing, post_radius, flow_axis, labels, owner):
    """Label voxel v (centre at ((i, j, k) + 1/2) * h µm).

    owner[v] (int32) = index of the nearest seed (the voxel's alveolus).
    labels[v] (uint8): AIR beyond half_septum µm of the bisector plane of the
    two nearest seeds; CAPILLARY within half_capillary µm of it, except POST
    within post_radius µm of a node of the square lattice (post_spacing µm) laid
    in that plane; SEPTUM in between. Capillary voxels on the lower / upper
    face along flow_axis are INLET / OUTLET. Seeds are searched in the 5x5x5
    seed-grid cells around the voxel: first the inner 3x3x3, then the outer
    cells whose slab distance can still beat the second-nearest seed (a seed
    lies in its own cell, jitter <= 1), which finds the same two seeds as the
    full search with a third of the distance evaluations.
    """
    nx = shape[0]
    ny = shape[1]
    nz = shape[2]
    i = v // (ny * nz)
    j = (v // nz) % ny
    k = v % nz
    x = (i + 0.5) * h
    y = (j + 0.5) * h
    z = (k + 0.5) * h
    gx = gdims[0]
    gy = gdims[1]
    gz = gdims[2]
    ci = _cell(x, origin[0], spacing, gx)
    cj = _cell(y, origin[1], spacing, gy)
    ck = _cell(z, origin[2], spacing, gz)
    best1 = np.inf
    best2 = np.inf
    s1 = -1
    s2 = -1
    for outer in range(2):
        for a in range(max(ci - 2, 0), min(ci + 3, gx)):
            ga = _gap(x, origin[0], spacing, a)
            for b in range(max(cj - 2, 0), min(cj + 3, gy)):
                gb = _gap(y, origin[1], spacing, b)
                for c in range(max(ck - 2, 0), min(ck + 3, gz)):
                    inner = abs(a - ci) <= 1 and abs(b - cj) <= 1 and abs(c - ck) <= 1
                    if inner == (outer == 1):
                        continue
                    if outer == 1:
                        gc = _gap(z, origin[2], spacing, c)
                        if ga * ga + gb * gb + gc * gc >= best2:
                            continue
                    s = (a * gy + b) * gz + c
                    dx = seeds[s, 0] - x
                    dy = seeds[s, 1] - y
                    dz = seeds[s, 2] - z
                    d2 = dx * dx + dy * dy + dz * dz
                    if d2 < best1:
                        best2 = best1
                        s2 = s1
                        best1 = d2
                        s1 = s
                    elif d2 < best2:
                        best2 = d2
                        s2 = s
    owner[v] = s1
    lo = min(s1, s2)
    hi = max(s1, s2)
    nxv = seeds[hi, 0] - seeds[lo, 0]
    nyv = seeds[hi, 1] - seeds[lo, 1]
    nzv = seeds[hi, 2] - seeds[lo, 2]
    length = math.sqrt(nxv * nxv + nyv * nyv + nzv * nzv)
    dist = (best2 - best1) / (2.0 * length)
    if dist >= half_septum:
        labels[v] = AIR
        return
    if dist >= half_capillary:
        labels[v] = SEPTUM
        return
    # in-plane frame of the septum between seeds lo < hi (the same from both sides)
    nxv /= length
    nyv /= length
    nzv /= length
    ax = abs(nxv)
    ay = abs(nyv)
    az = abs(nzv)
    if ax <= ay and ax <= az:  # u = n x e_x
        ux, uy, uz = 0.0, nzv, -nyv
    elif ay <= az:  # u = n x e_y
        ux, uy, uz = -nzv, 0.0, nxv
    else:  # u = n x e_z
        ux, uy, uz = nyv, -nxv, 0.0
    un = math.sqrt(ux * ux + uy * uy + uz * uz)
    ux /= un
    uy /= un
    uz /= un
    wx = nyv * uz - nzv * uy
    wy = nzv * ux - nxv * uz
    wz = nxv * uy - nyv * ux
    rx = x - 0.5 * (seeds[hi, 0] + seeds[lo, 0])
    ry = y - 0.5 * (seeds[hi, 1] + seeds[lo, 1])
    rz = z - 0.5 * (seeds[hi, 2] + seeds[lo, 2])
    pu = rx * ux + ry * uy + rz * uz
    pw = rx * wx + ry * wy + rz * wz
    du = pu - post_spacing * math.floor(pu / post_spacing + 0.5)
    dw = pw - post_spacing * math.floor(pw / post_spacing + 0.5)
    if du * du + dw * dw < post_radius * post_radius:
        labels[v] = POST
        return
    coord = i
    n_axis = nx
    if flow_axis == 1:
        coord = j
        n_axis = ny
    elif flow_axis == 2:
        coord = k
        n_axis = nz
    if coord == 0:
        labels[v] = INLET
    elif coord == n_axis - 1:
        labels[v] = OUTLET
    else:
        labels[v] = CAPILLARY
