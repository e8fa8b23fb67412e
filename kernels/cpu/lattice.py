"""CPU launchers for the lung-lattice generator."""

from numba import njit, prange

from alveosim.kernels.rules.lattice import label_voxel_one, place_seed_one


@njit(parallel=True, cache=True)
def place_seeds(n, gdims, origin, spacing, jitter, seed, stream, seeds):
    for s in prange(n):
        place_seed_one(s, gdims, origin, spacing, jitter, seed, stream, seeds)


@njit(parallel=True, cache=True)
def label_voxels(n, shape, h, seeds, gdims, origin, spacing, half_septum, half_capillary,
                 post_spacing, post_radius, flow_axis, labels, owner):
    for v in prange(n):
        label_voxel_one(v, shape, h, seeds, gdims, origin, spacing, half_septum, half_capillary,
                        post_spacing, post_radius, flow_axis, labels, owner)
