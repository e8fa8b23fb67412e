"""Rules that fill arrays with random draws (used to test the RNG on both targets)."""

from numba.extending import register_jitable

from alveosim.kernels.per_item import per_item
from alveosim.kernels.rng import normal4, uniform4


@per_item("fill_uniform")
@register_jitable
def fill_uniform_one(i, seed, stream, step, uid, out):
    """out[i, 0:4] = four uniforms for agent uid[i]. out: [n, 4] float64."""
    a, b, c, d = uniform4(seed, stream, step, uid[i], 0)
    out[i, 0] = a
    out[i, 1] = b
    out[i, 2] = c
    out[i, 3] = d


@per_item("fill_normal")
@register_jitable
def fill_normal_one(i, seed, stream, step, uid, out):
    """out[i, 0:4] = four standard normals for agent uid[i]. out: [n, 4] float64."""
    a, b, c, d = normal4(seed, stream, step, uid[i], 0)
    out[i, 0] = a
    out[i, 1] = b
    out[i, 2] = c
    out[i, 3] = d
