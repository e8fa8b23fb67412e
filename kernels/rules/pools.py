"""Rules of pool compaction (kernels/cpu/pools.py, kernels/cuda/pools.py),
written once for both backends. ``live``: the pool's device counter (int64
[3], ``live[0]`` live rows); ``dead``: bool [capacity]."""

from numba.extending import register_jitable


@register_jitable
def survives(i, live, dead):
    """True when row i holds a live agent that stays: below ``live[0]`` and not dead."""
    return i < live[0] and not dead[i]
