"""Numba kernels only: rule functions (``kernels.rules``, callable from both
targets), CPU launchers (``kernels.cpu``) and CUDA launchers (``kernels.cuda``)
with the same names and arguments. Nothing here reads a config."""
