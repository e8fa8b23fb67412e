"""``inlined_jitable``: a rule function inlined into CPU kernels at the Numba
IR level and callable from CUDA kernels.

Core Numba's ``register_jitable(inline="always")`` makes CPU loops that call
small rules vectorise, but numba-cuda cannot type such a function (its IR
inliner leaves ``omitted(default=Undefined)`` arguments), so every CUDA kernel
calling one fails to compile on a real device. This decorator registers the
function twice: for the CPU target with IR inlining, and for the CUDA target
as a plain device function (NVVM inlines it anyway) when numba-cuda is
installed. Under the CUDA simulator the kernels call the Python function.
"""

from numba.core.extending import overload


def inlined_jitable(**jit_options):
    """Decorator: register ``fn`` for the CPU (``inline="always"``) and CUDA
    targets with the given jit options (e.g. ``_nrt=False``); returns ``fn``."""

    def wrap(fn):
        overload(fn, target="cpu", inline="always", strict=False, jit_options=jit_options)(lambda *args: fn)
        try:
            from numba.cuda.extending import register_jitable as cuda_jitable
        except ImportError:  # no numba-cuda, or the simulator's numba.cuda
            return fn
        cuda_jitable(**jit_options)(fn) if jit_options else cuda_jitable(fn)
        return fn

    return wrap
