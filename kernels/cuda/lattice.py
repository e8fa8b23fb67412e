"""CUDA launchers for the lung-lattice generator."""

from numba import cuda

from alveosim.kernels.cuda.launch import grid1d
from alveosim.kernels.rules.lattice import label_voxel_one, place_seed_one


@cuda.jit(cache=True)
def _place_seeds(n, gdims, origin, spacing, jitter, seed, stream, seeds):
    s = cuda.grid(1)
    if s < n:
        place_seed_one(s, gdims, origin, spacing, jitter, seed, stream, seeds)


@cuda.jit(cache=True)
def _label_voxels(n, shape, h, seeds, gdims, origin, spacing, half_septum, half_capillary,
                  post_spacing, post_radius, flow_axis, labels, owner):
    v = cuda.grid(1)
    if v < n:
        label_voxel_one(v, shape, h, seeds, gdims, origin, spacing, half_septum, half_capillary,
                        post_spacing, post_radius, flow_axis, labels, owner)


place_seeds = grid1d(_place_seeds)
label_voxels = grid1d(_label_voxels)
