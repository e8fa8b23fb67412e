"""CUDA launchers of the reaction–diffusion rules (kernels.rules.diffusion):
the per-voxel rules declared with ``per_item`` (kernels/per_item.py), one
thread per line for the implicit sweeps, a 3-D grid for the stencil.

In the x and y sweeps adjacent threads take lines adjacent in memory, so
every access coalesces. A z line is contiguous, so adjacent threads' lines
lie nz apart: the z sweep (lines of up to ``LOCAL_LINE`` voxels) reads its
line once into thread-local arrays, runs the Thomas recurrence there (local
memory interleaves threads, so a warp's same-index accesses coalesce and the
float64 scratch never goes to global memory) and writes the line back once.
The stencil runs on a 3-D grid whose fastest thread index is z, the
contiguous axis, so loads coalesce."""

from numba import cuda, float32, float64, uint8, uint64

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import diffusion as rules
from alveosim.kernels.rules.diffusion import line_base, lod_backward, lod_forward, stencil_voxel

STENCIL_BLOCK = (32, 4, 2)  # threads along (z, y, x) of the explicit stencil's 3-D grid
LOCAL_LINE = 256  # longest z line solved in thread-local arrays (21 B per voxel per thread)

globals().update(cuda_launchers(rules))


# Hand-written on both backends: one line per thread (z lines in local memory) here, planes of adjacent lines per thread on the CPU.
@cuda.jit(cache=True)
def _lod_sweep(n_lines, c, cp, dp, lab, gtab, fixed, value, r, axis, nx, ny, nz):
    line = cuda.grid(1)
    if line < n_lines:
        base, stride = line_base(axis, line, ny, nz)
        n = nx if axis == 0 else (ny if axis == 1 else nz)
        for t in range(n):
            lod_forward(c, cp, dp, lab, gtab, fixed, value, r, base, stride, t, n)
        for t in range(n - 1, -1, -1):
            lod_backward(c, cp, dp, base, stride, t, n)


@cuda.jit(cache=True)
def _lod_z_local(n_lines, c, lab, gtab, fixed, value, r, nz):
    """The z sweep of line ``line`` (flat indices line·nz …) in local arrays."""
    line = cuda.grid(1)
    if line < n_lines:
        cl = cuda.local.array(LOCAL_LINE, float32)
        ll = cuda.local.array(LOCAL_LINE, uint8)
        cp = cuda.local.array(LOCAL_LINE, float64)
        dp = cuda.local.array(LOCAL_LINE, float64)
        base = line * nz
        for t in range(nz):
            cl[t] = c[base + t]
            ll[t] = lab[base + t]
        for t in range(nz):
            lod_forward(cl, cp, dp, ll, gtab, fixed, value, r, 0, 1, t, nz)
        for t in range(nz - 1, -1, -1):
            lod_backward(cl, cp, dp, 0, 1, t, nz)
        for t in range(nz):
            c[base + t] = cl[t]


# Hand-written on both backends: a 3-D thread grid here, x-planes walked in uniform-label runs on the CPU.
@cuda.jit(cache=True)
def _stencil_step(n, c, out, lab, coef, nl, nx, ny, nz):
    """One explicit step on a 3-D grid: thread (x, y, z) takes voxel
    (i, j, k) = (z, y, x), so a warp runs along k, the contiguous axis, and
    no thread divides to find its voxel."""
    k, j, i = cuda.grid(3)
    if i < nx and j < ny and k < nz:
        sx = uint64(ny * nz)
        sy = uint64(nz)
        zero = uint64(0)
        one = uint64(1)
        stencil_voxel(
            c, out, lab, coef, nl, uint64((i * ny + j) * nz + k),
            sx if i > 0 else zero, sx if i < nx - 1 else zero,
            sy if j > 0 else zero, sy if j < ny - 1 else zero,
            one if k > 0 else zero, one if k < nz - 1 else zero,
        )


def stencil_step(n, c, out, lab, coef, nl, nx, ny, nz):
    """Same contract as the CPU ``stencil_step`` (n = nx*ny*nz voxels)."""
    if int(n) > 0:
        tz, ty, tx = STENCIL_BLOCK
        blocks = ((nz + tz - 1) // tz, (ny + ty - 1) // ty, (nx + tx - 1) // tx)
        _stencil_step[blocks, STENCIL_BLOCK](n, c, out, lab, coef, nl, nx, ny, nz)


def lod_sweep(n_lines, c, cp, dp, lab, gtab, fixed, value, r, axis, nx, ny, nz):
    """Same contract as the CPU ``lod_sweep``; cp, dp are unused by a z
    sweep of lines up to LOCAL_LINE voxels."""
    if axis == 2 and nz <= LOCAL_LINE:
        grid1d(_lod_z_local)(n_lines, c, lab, gtab, fixed, value, r, nz)
    else:
        grid1d(_lod_sweep)(n_lines, c, cp, dp, lab, gtab, fixed, value, r, axis, nx, ny, nz)
