"""Grid sizing for 1-D CUDA launches."""

THREADS_PER_BLOCK = 256


def grid1d(kernel, threads_per_block: int = THREADS_PER_BLOCK):
    """Wrap a CUDA kernel whose first argument is the item count ``n`` so that
    calling ``launcher(n, *args)`` launches enough blocks for ``n`` threads
    (and nothing when ``n`` is 0) — the CPU launchers' calling convention."""

    def launch(n, *args):
        n = int(n)
        if n > 0:
            kernel[(n + threads_per_block - 1) // threads_per_block, threads_per_block](n, *args)

    launch.__name__ = getattr(kernel, "__name__", "kernel")
    launch.__doc__ = getattr(kernel, "__doc__", None)
    return launch
