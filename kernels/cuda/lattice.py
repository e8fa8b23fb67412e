"""CUDA launchers for the lung-lattice generator: every rule of kernels/rules/lattice.py
declared with ``per_item``, as a kernel ``_<name>`` and its grid1d launcher
(kernels/per_item.py)."""

from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import lattice as rules

globals().update(cuda_launchers(rules))
