"""CUDA launchers for random draws: every rule of kernels/rules/draws.py
declared with ``per_item``, as a kernel ``_<name>`` and its grid1d launcher
(kernels/per_item.py)."""

from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import draws as rules

globals().update(cuda_launchers(rules))
