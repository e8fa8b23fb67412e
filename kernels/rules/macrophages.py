"""Rules of interstitial macrophages (IMs): CXCL13-driven reprogramming
(CXCR5 signalling, a Hill hazard) with optional reversion, and the choice of
the blood voxel each IM sheds its small EVs into."""

import math

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.labels import CAPILLARY, INLET, OUTLET
from alveosim.kernels.per_item import per_item
from alveosim.kernels.rng import uniform4
from alveosim.kernels.rules.voxels import clamped_voxel_index

NAIVE = 0
REPROGRAMMED = 1


@register_jitable
def hill(c, k_pow_n, n_hill):
    """c^n / (c^n + K^n) for a concentration c >= 0 (any unit, K^n in the same);
    0 for c <= 0."""
    if c <= 0.0:
        return 0.0
    cn = c**n_hill
    return cn / (cn + k_pow_n)


@per_item("reprogram")
@register_jitable
def reprogram_one(i, uid, state, conc, seed, stream, step, rate_dt, k_pow_n, n_hill, p_revert):
    """One IM's switch in one tissue step.

    A naive IM becomes reprogrammed with probability 1 - exp(-rate_dt · hill(C))
    at its local CXCL13 ``conc[i]`` (pM; rate_dt = k_rep · dt, K^n in pM^n);
    a reprogrammed IM reverts with probability ``p_revert``. One uniform draw
    keyed by (seed, stream, step, uid[i]).
    """
    u, _, _, _ = uniform4(seed, stream, step, uid[i], 0)
    if state[i] == NAIVE:
        p = -math.expm1(-rate_dt * hill(np.float64(conc[i]), k_pow_n, n_hill))
        if u < p:
            state[i] = REPROGRAMMED
    elif u < p_revert:
        state[i] = NAIVE


@register_jitable
def is_blood(label):
    return label == CAPILLARY or label == INLET or label == OUTLET


@per_item("nearest_blood")
@register_jitable
def nearest_blood_one(i, pos, labels, h, reach, out):
    """out[i] = flat C-order index of the blood voxel (CAPILLARY, INLET,
    OUTLET) whose centre is nearest to pos[i] (µm), within ``reach`` µm;
    -1 if none. Voxel edge ``h`` µm, labels uint8 [nx, ny, nz]. Ties go to the
    lowest flat index, so the choice is deterministic."""
    nx = labels.shape[0]
    ny = labels.shape[1]
    nz = labels.shape[2]
    r = int(math.ceil(reach / h))
    ci = clamped_voxel_index(pos[i, 0], h, nx)
    cj = clamped_voxel_index(pos[i, 1], h, ny)
    ck = clamped_voxel_index(pos[i, 2], h, nz)
    best = -1
    best_d2 = reach * reach * (1.0 + 1e-9)
    for a in range(max(ci - r, 0), min(ci + r + 1, nx)):
        dx = (a + 0.5) * h - pos[i, 0]
        for b in range(max(cj - r, 0), min(cj + r + 1, ny)):
            dy = (b + 0.5) * h - pos[i, 1]
            for c in range(max(ck - r, 0), min(ck + r + 1, nz)):
                if is_blood(labels[a, b, c]):
                    dz = (c + 0.5) * h - pos[i, 2]
                    d2 = dx * dx + dy * dy + dz * dz
                    if d2 < best_d2:
                        best_d2 = d2
                        best = (a * ny + b) * nz + c
    out[i] = best
