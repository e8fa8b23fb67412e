"""CUDA launchers for circulating tumour cells (same names and arguments as
kernels/cpu/ctc.py), generated from their ``per_item`` declarations."""

from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import ctc as rules

globals().update(cuda_launchers(rules))
