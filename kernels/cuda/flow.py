"""CUDA launchers for the capillary flow solve: every rule of kernels/rules/flow.py
declared with ``per_item``, as a kernel ``_<name>`` and its grid1d launcher
(kernels/per_item.py)."""

from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import flow as rules

globals().update(cuda_launchers(rules))
