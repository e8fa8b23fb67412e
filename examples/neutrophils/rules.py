"""Rule of the neutrophil example, written once for the CPU and CUDA
launchers: move with the blood like the blood agents
(:func:`alveosim.kernels.rules.blood.transport_one`), then bind the nearest
platelet within ``radius`` µm with probability ``p_bind``. Grids and the
platelet cell list (``grid``, ``dims``, ``sorted_keys``, ``order``) are those
of kernels/rules/blood.py."""

from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item
from alveosim.kernels.rng import uniform4
from alveosim.kernels.rules.blood import KEEP, nearest_within, transport_one

_NOT_IMMOBILE = 255  # every neutrophil moves
_ANY_PLATELET = 0  # platelets of every state (resting and up) can be bound


@per_item("neutrophil_step", live=True)
@register_jitable
def neutrophil_step_one(i, pos, uid, state, seed, stream, step, sigma, dt, h, labels, occluded, velocity, fate,
                        p_bind, radius, pl_pos, pl_state, grid, dims, sorted_keys, order, n_bound):
    """Move neutrophil i (fate[i]: KEEP, or OUTFLOW when it ends in an OUTLET
    voxel), then, if it stays, bind the nearest platelet within ``radius``
    with probability ``p_bind`` (n_bound[i] += 1, int32 bonds formed)."""
    transport_one(i, pos, uid, state, _NOT_IMMOBILE, seed, stream, step, sigma, dt, h, 0.0, labels, occluded, velocity, fate)
    if fate[i] != KEEP:
        return
    j = nearest_within(pos[i, 0], pos[i, 1], pos[i, 2], -1, pl_pos, radius, grid, dims, sorted_keys, order, pl_state, _ANY_PLATELET)
    if j >= 0:
        u, _, _, _ = uniform4(seed, stream, step, uid[i], 2)  # blocks 0 and 1 are the move's
        if u < p_bind:
            n_bound[i] += 1
