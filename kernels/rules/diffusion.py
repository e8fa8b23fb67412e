"""Rules of the reaction–diffusion solvers on the voxel lattice.

Arrays are the flat (C-order) views of one field ``c`` [nx*ny*nz] float32 and
of the labels ``lab`` [nx*ny*nz] uint8. ``gtab`` [n_labels, n_labels] float32
is the face diffusivity (µm²/s) between two labels (harmonic mean, 0 across a
no-flux face); ``fixed`` [n_labels] uint8 marks Dirichlet labels, held at
``value``. ``r`` is dt/h² (s/µm²). The stencil runs in float32 (callers
pass np.float32 scalars, so CPU loops vectorise in single precision); the
implicit line solves run in float64.

A line of the implicit locally-one-dimensional (LOD) step is addressed by its
first flat index ``base``, its ``stride`` and its length ``n``; ``t`` is the
position along it. The Thomas solve runs element by element so that
launchers can order the loops for memory (contiguous inner loops on the CPU,
one thread per line on a GPU): ``lod_forward`` for t = 0 … n-1, then
``lod_backward`` for t = n-1 … 0.
"""

import math

import numpy as np
from numba.extending import register_jitable


@register_jitable(_nrt=False)
def lod_forward(c, cp, dp, lab, gtab, fixed, value, r, base, stride, t, n):
    """Forward elimination at position t of the line: builds row t of
    (I − r·L) x = c with no-flux line ends (a fixed row x = value at
    Dirichlet labels) and stores the modified super-diagonal in cp and the
    modified right-hand side in dp (both float64 scratch). The elimination
    runs in float64: at tissue steps r·g reaches ~10², and float32 would lose
    ~eps·r·g per step (cancellation in the pivots). No data-dependent
    branches, so a loop across lines vectorises."""
    idx = base + t * stride
    la = lab[idx]
    free = fixed[la] == 0
    gl = float(gtab[la, lab[idx - stride]]) if t > 0 else 0.0
    gr = float(gtab[la, lab[idx + stride]]) if t < n - 1 else 0.0
    gl = gl if free else 0.0
    gr = gr if free else 0.0
    rhs = float(c[idx]) if free else value
    a = -r * gl
    b = 1.0 + r * (gl + gr)
    if t > 0:
        inv = 1.0 / (b - a * cp[idx - stride])
        dp[idx] = (rhs - a * dp[idx - stride]) * inv
    else:
        inv = 1.0 / b
        dp[idx] = rhs * inv
    cp[idx] = -r * gr * inv


@register_jitable(_nrt=False)
def lod_backward(c, cp, dp, base, stride, t, n):
    """Back substitution at position t (run for t = n−1 … 0):
    x_t = d_t − cp_t · x_{t+1} in float64 (kept in dp), written to c as float32."""
    idx = base + t * stride
    if t < n - 1:
        dp[idx] = dp[idx] - cp[idx] * dp[idx + stride]
    c[idx] = dp[idx]


@register_jitable(_nrt=False)
def line_base(axis, line, ny, nz):
    """(base, stride) of line number ``line`` along ``axis`` (0 = x, 1 = y,
    2 = z) in a C-order [nx, ny, nz] grid; lines are numbered so that
    consecutive numbers are adjacent in memory where the axis allows."""
    if axis == 0:
        return line, ny * nz
    if axis == 1:
        i = line // nz
        k = line - i * nz
        return i * ny * nz + k, nz
    return line * nz, 1


@register_jitable(_nrt=False)
def stencil_voxel(c, out, lab, gtab, fixed, value, r, i, j, k):
    """One explicit 7-point step at voxel (i, j, k) of c, out, lab
    [nx, ny, nz]: out = c + r·Σ g·(c_nb − c), Dirichlet labels set to value.
    A neighbour index is clamped into the domain, which makes the flux
    through the boundary zero without branches."""
    nx, ny, nz = c.shape
    la = lab[i, j, k]
    ci = c[i, j, k]
    xm = max(i - 1, 0)
    xp = min(i + 1, nx - 1)
    ym = max(j - 1, 0)
    yp = min(j + 1, ny - 1)
    zm = max(k - 1, 0)
    zp = min(k + 1, nz - 1)
    acc = gtab[la, lab[xm, j, k]] * (c[xm, j, k] - ci) + gtab[la, lab[xp, j, k]] * (c[xp, j, k] - ci)
    acc += gtab[la, lab[i, ym, k]] * (c[i, ym, k] - ci) + gtab[la, lab[i, yp, k]] * (c[i, yp, k] - ci)
    acc += gtab[la, lab[i, j, zm]] * (c[i, j, zm] - ci) + gtab[la, lab[i, j, zp]] * (c[i, j, zp] - ci)
    out[i, j, k] = ci + r * acc if fixed[la] == 0 else value


@register_jitable(_nrt=False)
def decay_voxel(c, lab, fixed, factor, idx):
    """c *= factor (exact exponential decay over the step) except at Dirichlet labels."""
    if not fixed[lab[idx]]:
        c[idx] = c[idx] * factor


@register_jitable(_nrt=False)
def react_voxel(c, src, upt, lab, fixed, k_decay, inv_scale, dt, idx):
    """Exact step of dc/dt = S − K·c over dt at one voxel, then clears the
    accumulators. S = src·inv_scale (concentration/s) and K = upt·inv_scale +
    k_decay (1/s) come from fixed-point int64 sums; the result is never
    negative when c and S are not."""
    if fixed[lab[idx]]:
        src[idx] = 0
        upt[idx] = 0
        return
    s = src[idx] * inv_scale
    kk = upt[idx] * inv_scale + k_decay
    x = kk * dt
    if x > 1e-12:
        grow = -math.expm1(-x) / kk
    else:
        grow = dt * (1.0 - 0.5 * x)
    c[idx] = c[idx] * math.exp(-x) + s * grow
    src[idx] = 0
    upt[idx] = 0
