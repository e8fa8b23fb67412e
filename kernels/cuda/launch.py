"""Grid sizing for 1-D CUDA launches. Every CUDA launcher module imports
this one, which registers the rule helpers for the CUDA target first
(kernels.jitable.enable_cuda: numba.cuda is imported only from here on)."""

import functools

from alveosim.kernels.jitable import enable_cuda

enable_cuda()

THREADS_PER_BLOCK = 256


def grid1d(kernel, threads_per_block: int = THREADS_PER_BLOCK):
    """Wrap a CUDA kernel whose first argument is the item count ``n`` so that
    calling ``launcher(n, *args)`` launches enough blocks for ``n`` threads
    (and nothing when ``n`` is 0) — the CPU launchers' calling convention.
    The launcher carries the kernel's module, name, docstring and signature."""

    def launch(n, *args):
        n = int(n)
        if n > 0:
            kernel[(n + threads_per_block - 1) // threads_per_block, threads_per_block](n, *args)

    py_func = getattr(kernel, "py_func", None) or getattr(kernel, "fn", None)  # device dispatcher / simulator kernel
    if py_func is not None:
        functools.update_wrapper(launch, py_func, assigned=("__module__", "__name__", "__qualname__", "__doc__"), updated=())
    return launch
