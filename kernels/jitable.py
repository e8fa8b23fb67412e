"""Rule helpers registered once for the CPU and, lazily, for CUDA.

``inlined_jitable``: a rule function inlined into CPU kernels at the Numba
IR level and callable from CUDA kernels. Core Numba's
``register_jitable(inline="always")`` makes CPU loops that call small rules
vectorise, but numba-cuda cannot type such a function (its IR inliner leaves
``omitted(default=Undefined)`` arguments), so every CUDA kernel calling one
fails to compile on a real device. This decorator registers the function
twice: for the CPU target with IR inlining, and for the CUDA target as a
plain device function (NVVM inlines it anyway). Under the CUDA simulator the
kernels call the Python function.

``table_lookup``: ``def f(i): return TABLE[i]`` reading a read-only NumPy
table. On the CPU it is inlined (the table a constant of the kernel, as a
module-level array always was); on CUDA it loads from a copy of the table in
*global* memory. numba-cuda would put a module-level array in constant
memory, whose reads serialise when the threads of a warp index different
entries.

The CUDA registrations run when ``alveosim.kernels.cuda.launch`` (which
every CUDA launcher module imports) is first imported (:func:`enable_cuda`),
so CPU-only runs never import ``numba.cuda``.
"""

from numba.core.extending import overload

_cuda_pending = []  # registrations waiting for enable_cuda()
_cuda_enabled = False


def _on_cuda(register) -> None:
    """Run ``register()`` once CUDA kernels are wanted (now, if they are)."""
    if _cuda_enabled:
        register()
    else:
        _cuda_pending.append(register)


def enable_cuda() -> None:
    """Register every rule helper for the CUDA target (called when
    kernels/cuda/launch.py is imported). A no-op without numba-cuda and under the
    simulator, whose kernels call the Python functions."""
    global _cuda_enabled
    _cuda_enabled = True
    while _cuda_pending:
        _cuda_pending.pop(0)()


def inlined_jitable(**jit_options):
    """Decorator: register ``fn`` for the CPU (``inline="always"``) and CUDA
    targets with the given jit options (e.g. ``_nrt=False``); returns ``fn``."""

    def wrap(fn):
        overload(fn, target="cpu", inline="always", strict=False, jit_options=jit_options)(lambda *args: fn)

        def register():
            try:
                from numba.cuda.extending import register_jitable as cuda_jitable
            except ImportError:  # no numba-cuda, or the simulator's numba.cuda
                return
            cuda_jitable(**jit_options)(fn) if jit_options else cuda_jitable(fn)

        _on_cuda(register)
        return fn

    return wrap


def table_lookup(table):
    """Decorator for ``def f(i): return table[i]`` (``table`` a 1-D float64 or
    uint64 NumPy array, ``i`` an integer): the CPU inlines the body; CUDA
    reads ``table[i]`` from a global-memory copy of the table. Returns ``f``."""

    def wrap(fn):
        overload(fn, target="cpu", inline="always", strict=False)(lambda i: fn)
        _on_cuda(lambda: _register_global_table(fn, table))
        return fn

    return wrap


def _register_global_table(fn, table) -> None:
    """CUDA overload of ``fn(i)``: ``table[i]`` loaded from an internal
    ``addrspace(1)`` (PTX ``.global``) array initialised with the table's
    exact values, one per LLVM module that reads it."""
    try:
        from numba.cuda import types
        from numba.cuda.extending import intrinsic
        from numba.cuda.extending import overload as cuda_overload
    except ImportError:
        return
    from llvmlite import ir

    dtype = {"float64": types.float64, "uint64": types.uint64}[str(table.dtype)]
    symbol = f"_alveosim_{fn.__module__.replace('.', '_')}{fn.__name__}"  # one table per function

    @intrinsic
    def load(typingctx, i):
        if not isinstance(i, types.Integer):
            return None

        def codegen(context, builder, sig, args):
            lltype = context.get_data_type(dtype)
            arrty = ir.ArrayType(lltype, table.size)
            gv = builder.module.globals.get(symbol)
            if gv is None:
                gv = ir.GlobalVariable(builder.module, arrty, symbol, addrspace=1)
                gv.linkage = "linkonce_odr"
                gv.global_constant = True
                gv.initializer = ir.Constant(arrty, [context.get_constant(dtype, v.item()) for v in table])
                gv.align = 8
            idx = context.cast(builder, args[0], sig.args[0], types.int64)
            return builder.load(builder.gep(gv, [ir.Constant(ir.IntType(64), 0), idx], inbounds=True))

        return dtype(i), codegen

    @cuda_overload(fn, target="cuda")
    def impl(i):
        return lambda i: load(i)
