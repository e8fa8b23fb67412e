"""CUDA launchers: ``@cuda.jit(cache=True)`` kernels over the same rule
functions, wrapped so they take the same arguments as the CPU launchers.
Imported only when the CUDA backend is chosen; importing this package
registers the rule helpers for the CUDA target (kernels.jitable)."""

from alveosim.kernels.jitable import enable_cuda

enable_cuda()
