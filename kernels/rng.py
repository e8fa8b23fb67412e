"""Counter-based random numbers: Philox4x32-10 keyed by (seed, stream, step, uid).

Written once with ``register_jitable`` so the CPU (``@njit``) and CUDA
(``@cuda.jit``) kernels draw identical numbers for the same key whatever the
thread count. All arithmetic is on uint64 with explicit 32-bit masks, which is
exact in Numba on both targets and in the CUDA simulator's pure Python.

Counter: (uid low 32 bits, uid high 32 bits, step, stream << 16 | block);
key: (seed low 32 bits, seed high 32 bits). One call gives four 32-bit words.

Normals come from a 256-layer ziggurat (Marsaglia & Tsang 2000, with the
layer, sign and magnitude taken from disjoint bits of one 32-bit word as in
Doornik 2005): each word gives one normal from two table reads and a compare
in 98.8% of cases, with no transcendental functions, so CPU loops over agents
vectorise (``normal4_fast``). The rare rejected word is redrawn from Philox
blocks keyed by the same (seed, step, uid, block) with the stream field's
upper byte set to (0x80 | lane << 5 | attempt); streams are therefore below
256 (tests/test_rng.py checks sim/streams.py).
"""

import math

import numpy as np
from numba.extending import register_jitable

from alveosim.kernels.jitable import inlined_jitable, table_lookup

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_SHIFT16 = np.uint64(16)
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_TWO_POW_M32 = 2.0**-32

ZIG_LAYERS = 256
ZIG_R = 3.654152885361009  # right edge of the base layer: 256 equal areas close exactly at the top
_MAGNITUDE_BITS = 23  # word bits 9..31; bits 0..7 pick the layer, bit 8 the sign
_MASK_LAYER = np.uint64(ZIG_LAYERS - 1)
_SHIFT_SIGN = np.uint64(8)
_SHIFT_MAGNITUDE = np.uint64(9)
_ONE = np.uint64(1)
_STREAM_MASK = np.uint64(0xFF)
_REDRAW_FLAG = np.uint64(0x80)
_REDRAW_ATTEMPTS = 32  # P(all fail) < 1e-30
_SHIFT_LANE = np.uint64(5)
_SHIFT8 = np.uint64(8)


def _ziggurat_tables():
    """Layer tables: W[i] = x_i / 2**24 (x_0 = base-layer width v / f(R),
    x_255 = R, x_1 the top layer's), K[i] = magnitudes m < K[i] lie inside
    the density (x < x_{i-1}; none for the top layer), F[i] = f(x_i) with
    F[0] = 1 (the top of the top layer), f(x) = exp(-x²/2)."""
    f = lambda t: math.exp(-0.5 * t * t)  # noqa: E731
    v = ZIG_R * f(ZIG_R) + math.sqrt(math.pi / 2) * math.erfc(ZIG_R / math.sqrt(2))
    x = np.zeros(ZIG_LAYERS)
    x[ZIG_LAYERS - 1] = ZIG_R
    for i in range(ZIG_LAYERS - 2, 0, -1):
        x[i] = math.sqrt(-2.0 * math.log(v / x[i + 1] + f(x[i + 1])))
    x[0] = v / f(ZIG_R)
    scale = 2.0**_MAGNITUDE_BITS
    k = np.zeros(ZIG_LAYERS, dtype=np.uint64)
    k[0] = math.floor(ZIG_R / x[0] * scale - 0.5)
    for i in range(2, ZIG_LAYERS):
        k[i] = math.floor(x[i - 1] / x[i] * scale - 0.5)
    fx = np.array([1.0] + [f(t) for t in x[1:]])
    return x / scale, k, fx, v


ZIG_W, ZIG_K, ZIG_F, ZIG_AREA = _ziggurat_tables()
_R_INV = 1.0 / ZIG_R


# Table reads go through these so that CUDA kernels load the tables from
# global memory (jitable.table_lookup); the CPU inlines them.
@table_lookup(ZIG_W)
def _zig_w(i):
    """ZIG_W[i]."""
    return ZIG_W[i]


@table_lookup(ZIG_K)
def _zig_k(i):
    """ZIG_K[i]."""
    return ZIG_K[i]


@table_lookup(ZIG_F)
def _zig_f(i):
    """ZIG_F[i]."""
    return ZIG_F[i]


@inlined_jitable()
def philox4(seed, stream, step, uid, block):
    """Four uint64 words, each holding 32 random bits, for one counter value.

    seed: int (< 2**64); stream: int (< 2**16); step: int (< 2**32);
    uid: int (< 2**64); block: int (< 2**16), the index of the 4-word block.
    Inlined at the Numba IR level so loops calling it can be vectorised.
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
def _zig_fast(word):
    """The ziggurat's fast path for one 32-bit word: (x, ok) where x = ±(m + ½)
    · x_i / 2**23 and ok says the point lies inside the density (exact)."""
    i = word & _MASK_LAYER
    m = word >> _SHIFT_MAGNITUDE
    sign = 1.0 - 2.0 * np.float64((word >> _SHIFT_SIGN) & _ONE)
    return sign * ((np.float64(m) + 0.5) * _zig_w(i)), m < _zig_k(i)


@register_jitable
def _zig_slow(seed, stream, step, uid, block, lane, word):
    """The ziggurat's rejection branch for a word whose fast path failed:
    the base layer samples the tail beyond R (Marsaglia's exponential
    method), other layers test the wedge and otherwise restart with a new
    word. Attempt a uses Philox words keyed by the stream field
    stream | (0x80 | lane << 5 | a) << 8, the caller's other key parts."""
    i = word & _MASK_LAYER
    m = word >> _SHIFT_MAGNITUDE
    neg = (word >> _SHIFT_SIGN) & _ONE
    x = (np.float64(m) + 0.5) * _zig_w(i)
    base = np.uint64(stream) & _STREAM_MASK
    for attempt in range(_REDRAW_ATTEMPTS):
        tag = _REDRAW_FLAG | (np.uint64(lane) << _SHIFT_LANE) | np.uint64(attempt)
        a, b, c, _ = philox4(seed, base | (tag << _SHIFT8), step, uid, block)
        if i == 0:
            e = -math.log(_to_unit(a)) * _R_INV
            if -2.0 * math.log(_to_unit(b)) > e * e:
                x = ZIG_R + e
                break
        else:
            if _zig_f(i) + _to_unit(a) * (_zig_f(i - 1) - _zig_f(i)) < math.exp(-0.5 * x * x):
                break
            i = c & _MASK_LAYER
            m = c >> _SHIFT_MAGNITUDE
            neg = (c >> _SHIFT_SIGN) & _ONE
            x = (np.float64(m) + 0.5) * _zig_w(i)
            if m < _zig_k(i):
                break
    return (1.0 - 2.0 * np.float64(neg)) * x


@register_jitable
def _zig(seed, stream, step, uid, block, lane, word):
    """One standard normal from one word (fast path, else rejection branch)."""
    x, ok = _zig_fast(word)
    if not ok:
        x = _zig_slow(seed, stream, step, uid, block, lane, word)
    return x


@inlined_jitable()
def normal4_fast(seed, stream, step, uid, block):
    """normal4's fast path without branches: (z0, z1, z2, z3, ok); when ok
    (probability ≈ 0.953, 0.988 per word) the four values equal normal4's, otherwise call
    normal4. For CPU launchers that vectorise a first pass over agents."""
    a, b, c, d = philox4(seed, stream, step, uid, block)
    z0, ok0 = _zig_fast(a)
    z1, ok1 = _zig_fast(b)
    z2, ok2 = _zig_fast(c)
    z3, ok3 = _zig_fast(d)
    return z0, z1, z2, z3, ok0 & ok1 & ok2 & ok3


@register_jitable
def normal4(seed, stream, step, uid, block):
    """Four independent standard-normal float64 draws (ziggurat).
    stream < 256 (the upper byte keys the rejection redraws)."""
    a, b, c, d = philox4(seed, stream, step, uid, block)
    return (
        _zig(seed, stream, step, uid, block, 0, a),
        _zig(seed, stream, step, uid, block, 1, b),
        _zig(seed, stream, step, uid, block, 2, c),
        _zig(seed, stream, step, uid, block, 3, d),
    )
