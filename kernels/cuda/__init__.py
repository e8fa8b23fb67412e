"""CUDA launchers: ``@cuda.jit(cache=True)`` kernels over the same rule
functions, wrapped so they take the same arguments as the CPU launchers.
Imported only when the CUDA backend is chosen."""
