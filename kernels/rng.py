"""Counter-based random numbers: Philox4x32-10 keyed by (seed, stream, step, uid).

Written once with ``register_jitable`` so the CPU (``@njit``) and CUDA
(``@cuda.jit``) kernels draw identical numbers for the same key whatever the
thread count. All arithmetic is on uint64 with explicit 32-bit masks, which is
exact in Numba on both targets and in the CUDA simulator's pure Python.

Counter: (uid low 32 bits, uid high 32 bits, step, stream << 16 | block);
key: (seed low 32 bits, seed high 32 bits). One call gives four 32-bit words.
"""

import math

import numpy as np
from numba.extending import register_jitable

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_SHIFT16 = np.uint64(16)
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_TWO_POW_M32 = 2.0**-32
_TWO_PI = 2.0 * math.pi


@register_jitable
def philox4(seed, stream, step, uid, block):
    """Four uint64 words, each holding 32 random bits, for one counter value.

    seed: int (< 2**64); stream: int (< 2**16); step: int (< 2**32);
    uid: int (< 2**64); block: int (< 2**16), the index of the 4-word block.
    """
    s = np.uint64(seed)
    u = np.uint64(uid)
    c0 = u & _MASK32
    c1 = (u >> _SHIFT32) & _MASK32
    c2 = np.uint64(step) & _MASK32
    c3 = ((np.uint64(stream) << _SHIFT16) | (np.uint64(block) & np.uint64(0xFFFF))) & _MASK32
    k0 = s & _MASK32
    k1 = (s >> _SHIFT32) & _MASK32
    for _ in range(10):
        p0 = _M0 * c0
        p1 = _M1 * c2
        hi0 = p0 >> _SHIFT32
        lo0 = p0 & _MASK32
        hi1 = p1 >> _SHIFT32
        lo1 = p1 & _MASK32
        c0 = (hi1 ^ c1 ^ k0) & _MASK32
        c1 = lo1
        c2 = (hi0 ^ c3 ^ k1) & _MASK32
        c3 = lo0
        k0 = (k0 + _W0) & _MASK32
        k1 = (k1 + _W1) & _MASK32
    return c0, c1, c2, c3


@register_jitable
def _to_unit(x):
    """A 32-bit word to a float64 in the open interval (0, 1), exactly."""
    return (np.float64(x) + 0.5) * _TWO_POW_M32


@register_jitable
def uniform4(seed, stream, step, uid, block):
    """Four independent uniform float64 draws in (0, 1)."""
    a, b, c, d = philox4(seed, stream, step, uid, block)
    return _to_unit(a), _to_unit(b), _to_unit(c), _to_unit(d)


@register_jitable
def normal4(seed, stream, step, uid, block):
    """Four independent standard-normal float64 draws (Box–Muller)."""
    u0, u1, u2, u3 = uniform4(seed, stream, step, uid, block)
    r0 = math.sqrt(-2.0 * math.log(u0))
    r1 = math.sqrt(-2.0 * math.log(u2))
    return r0 * math.cos(_TWO_PI * u1), r0 * math.sin(_TWO_PI * u1), r1 * math.cos(_TWO_PI * u3), r1 * math.sin(_TWO_PI * u3)
