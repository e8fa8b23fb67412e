"""CUDA launchers for tumour cells: the kernels generated from the
``per_item`` declarations in kernels/rules/tumour.py (same names and
arguments as kernels/cpu/tumour.py)."""

from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import tumour as rules

globals().update(cuda_launchers(rules))
