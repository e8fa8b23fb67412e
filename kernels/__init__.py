"""Numba kernels only: rule functions (``alveosim.kernels.rules``, callable from both
targets), CPU launchers (``alveosim.kernels.cpu``) and CUDA launchers (``alveosim.kernels.cuda``)
with the same names and arguments. Nothing here reads a config."""
