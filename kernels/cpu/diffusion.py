"""CPU launchers of the reaction–diffusion rules (kernels.rules.diffusion).

The implicit sweeps run many lines at once with the innermost loop across
lines that are adjacent in memory, so the Thomas recurrences of neighbouring
lines overlap and memory is read contiguously; each thread takes whole
planes, which stay in its cache between the forward and backward passes.
"""

from numba import njit, prange

from kernels.rules.diffusion import decay_voxel, lod_backward, lod_forward, react_voxel, stencil_voxel


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


@njit(parallel=True, cache=True)
def stencil_step(n, c, out, lab, gtab, fixed, value, r):
    """One explicit 7-point step of the n = nx*ny*nz voxels from c into out
    (c, out [nx, ny, nz] float32; lab [nx, ny, nz] uint8)."""
    nx, ny, nz = c.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                stencil_voxel(c, out, lab, gtab, fixed, value, r, i, j, k)


@njit(parallel=True, cache=True)
def decay(n, c, lab, fixed, factor):
    """c *= factor at the n voxels that are not Dirichlet."""
    for idx in prange(n):
        decay_voxel(c, lab, fixed, factor, idx)


@njit(parallel=True, cache=True)
def react(n, c, src, upt, lab, fixed, k_decay, inv_scale, dt):
    """Exact source/uptake/decay step at the n voxels; clears src and upt."""
    for idx in prange(n):
        react_voxel(c, src, upt, lab, fixed, k_decay, inv_scale, dt, idx)
