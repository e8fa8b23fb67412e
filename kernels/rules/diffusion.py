"""Rules of the reaction–diffusion solvers on the voxel lattice.

Arrays are the flat (C-order) views of one field ``c`` [nx*ny*nz] float32 and
of the labels ``lab`` [nx*ny*nz] uint8. ``gtab`` [n_labels, n_labels] float32
is the face diffusivity (µm²/s) between two labels (harmonic mean, 0 across a
no-flux face); ``fixed`` [n_labels] uint8 marks Dirichlet labels, held at
``value``. ``r`` is dt/h² (s/µm²). The implicit line solves run in float64.

The explicit stencil runs in float32 (so CPU loops vectorise 16 wide) on a
coefficient table ``coef`` [nl*nl] float32 (flat, nl = n_labels as int32) =
r·gtab with the rows of Dirichlet labels zeroed, built once per step by the solver: a
Dirichlet voxel then keeps its value (set by ``dirichlet_voxel``) and every
face lookup is branch-free. Voxel indices and neighbour offsets are uint64
(no negative-index wrap-around, so a loop along z reads contiguous memory);
an offset is 0 across the domain boundary, which makes the flux there zero.

A line of the implicit locally-one-dimensional (LOD) step is addressed by its
first flat index ``base``, its ``stride`` and its length ``n``; ``t`` is the
position along it. The Thomas solve runs element by element so that
launchers can order the loops for memory (contiguous inner loops on the CPU,
one thread per line on a GPU): ``lod_forward`` for t = 0 … n-1, then
``lod_backward`` for t = n-1 … 0.
"""

import math

from numba import int32
from numba.extending import register_jitable

from alveosim.kernels.jitable import inlined_jitable
from alveosim.kernels.per_item import per_item


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


@inlined_jitable(_nrt=False)
def stencil_update(c, out, idx, oxm, oxp, oym, oyp, ozm, ozp, gxm, gxp, gym, gyp, gzm, gzp):
    """One explicit 7-point step at flat voxel ``idx`` (uint64) from c into
    out: out = c + Σ g·(c_nb − c) over the six faces, with g the face
    coefficients (r·D_face, float32) and o the uint64 distances to the
    neighbours (x: ny·nz, y: nz, z: 1; 0 across the domain boundary)."""
    ci = c[idx]
    acc = gxm * (c[idx - oxm] - ci) + gxp * (c[idx + oxp] - ci)
    acc += gym * (c[idx - oym] - ci) + gyp * (c[idx + oyp] - ci)
    acc += gzm * (c[idx - ozm] - ci) + gzp * (c[idx + ozp] - ci)
    out[idx] = ci + acc


@inlined_jitable(_nrt=False)
def stencil_voxel(c, out, lab, coef, nl, idx, oxm, oxp, oym, oyp, ozm, ozp):
    """``stencil_update`` with the face coefficients looked up per label
    pair, g = coef[lab[idx]·nl + lab[nb]] (coef flat [nl*nl], nl int32)."""
    row = int32(lab[idx]) * nl
    stencil_update(
        c, out, idx, oxm, oxp, oym, oyp, ozm, ozp,
        coef[row + int32(lab[idx - oxm])], coef[row + int32(lab[idx + oxp])],
        coef[row + int32(lab[idx - oym])], coef[row + int32(lab[idx + oyp])],
        coef[row + int32(lab[idx - ozm])], coef[row + int32(lab[idx + ozp])],
    )


@per_item("dirichlet", index="idx")
@register_jitable(_nrt=False)
def dirichlet_voxel(c, lab, fixed, value, idx):
    """c = value at Dirichlet labels."""
    if fixed[lab[idx]]:
        c[idx] = value


@per_item("decay", index="idx")
@register_jitable(_nrt=False)
def decay_voxel(c, lab, fixed, factor, idx):
    """c *= factor (exact exponential decay over the step) except at Dirichlet labels."""
    if not fixed[lab[idx]]:
        c[idx] = c[idx] * factor


@per_item("react", index="idx")
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
