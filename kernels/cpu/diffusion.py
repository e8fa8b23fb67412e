"""CPU launchers of the reaction–diffusion rules (kernels.rules.diffusion):
the per-voxel rules declared with ``per_item`` (kernels/per_item.py), and the
implicit sweeps and explicit stencil, hand-written on both backends.

The implicit sweeps run many lines at once with the innermost loop across
lines that are adjacent in memory, so the Thomas recurrences of neighbouring
lines overlap and memory is read contiguously; each thread takes whole
planes, which stay in its cache between the forward and backward passes.

The explicit stencil takes whole x-planes per thread and walks each (i, j)
line along z, the contiguous axis, in runs of ``RUN`` voxels: a run whose
voxels and face neighbours all carry one label applies ``stencil_update``
with that label's single coefficient (a loop LLVM vectorises with plain
loads), any other run ``stencil_voxel`` with per-face table lookups (gathers).
Both compute the same float32 expression, so the result does not depend on
which path a voxel took.
"""

from numba import int32, njit, prange, uint8, uint64

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import diffusion as rules
from alveosim.kernels.rules.diffusion import lod_backward, lod_forward, stencil_update, stencil_voxel

RUN = 64  # voxels per run of the explicit stencil's uniform-label test

globals().update(cpu_launchers(rules))


# Hand-written on both backends: planes of adjacent lines per thread here, one line per thread (z lines in local memory) on CUDA.
@njit(parallel=True, cache=True)
def lod_sweep(n_lines, c, cp, dp, lab, gtab, fixed, value, r, axis, nx, ny, nz):
    """Implicit diffusion step along ``axis`` for all n_lines lines of the
    flat field c [nx*ny*nz] float32 (in place); cp, dp: float64 scratch of
    the same size."""
    if axis == 0:
        for j in prange(ny):
            for t in range(nx):
                for k in range(nz):
                    lod_forward(c, cp, dp, lab, gtab, fixed, value, r, j * nz + k, ny * nz, t, nx)
            for t in range(nx - 1, -1, -1):
                for k in range(nz):
                    lod_backward(c, cp, dp, j * nz + k, ny * nz, t, nx)
    elif axis == 1:
        for i in prange(nx):
            for t in range(ny):
                for k in range(nz):
                    lod_forward(c, cp, dp, lab, gtab, fixed, value, r, i * ny * nz + k, nz, t, ny)
            for t in range(ny - 1, -1, -1):
                for k in range(nz):
                    lod_backward(c, cp, dp, i * ny * nz + k, nz, t, ny)
    else:
        for i in prange(nx):
            for t in range(nz):
                for j in range(ny):
                    lod_forward(c, cp, dp, lab, gtab, fixed, value, r, (i * ny + j) * nz, 1, t, nz)
            for t in range(nz - 1, -1, -1):
                for j in range(ny):
                    lod_backward(c, cp, dp, (i * ny + j) * nz, 1, t, nz)


@njit(cache=True, inline="always")
def _label_diff(lab, label, first, count):
    """OR of lab[x] ^ label over the ``count`` flat indices from ``first``
    (uint64): 0 exactly when they all carry ``label``."""
    diff = uint8(0)
    for t in range(count):
        diff |= lab[first + uint64(t)] ^ label
    return diff


# Hand-written on both backends: x-planes walked in uniform-label runs here, a 3-D thread grid on CUDA.
@njit(parallel=True, cache=True)
def stencil_step(n, c, out, lab, coef, nl, nx, ny, nz):
    """One explicit 7-point step of the n = nx*ny*nz voxels of the flat
    field c into out (c, out [n] float32; lab [n] uint8; coef
    [nl*nl] float32 and nl int32, see kernels.rules.diffusion)."""
    sx = uint64(ny * nz)
    sy = uint64(nz)
    zero = uint64(0)
    one = uint64(1)
    for i in prange(nx):
        oxm = sx if i > 0 else zero
        oxp = sx if i < nx - 1 else zero
        for j in range(ny):
            oym = sy if j > 0 else zero
            oyp = sy if j < ny - 1 else zero
            base = uint64((i * ny + j) * nz)
            last = base + uint64(nz - 1)
            stencil_voxel(c, out, lab, coef, nl, base, oxm, oxp, oym, oyp, zero, one if nz > 1 else zero)
            for k0 in range(1, nz - 1, RUN):
                m = min(RUN, nz - 1 - k0)
                start = base + uint64(k0)
                la = lab[start]
                diff = _label_diff(lab, la, start - one, m + 2) | _label_diff(lab, la, start - oxm, m)
                diff |= _label_diff(lab, la, start + oxp, m) | _label_diff(lab, la, start - oym, m)
                diff |= _label_diff(lab, la, start + oyp, m)
                if diff == 0:
                    g = coef[int32(la) * nl + int32(la)]
                    for t in range(m):
                        stencil_update(c, out, start + uint64(t), oxm, oxp, oym, oyp, one, one, g, g, g, g, g, g)
                else:
                    for t in range(m):
                        stencil_voxel(c, out, lab, coef, nl, start + uint64(t), oxm, oxp, oym, oyp, one, one)
            if nz > 1:
                stencil_voxel(c, out, lab, coef, nl, last, oxm, oxp, oym, oyp, one, zero)
