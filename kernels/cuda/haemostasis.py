"""CUDA launchers of the haemostasis rules (same names and arguments as
kernels/cpu/haemostasis.py): every rule of kernels/rules/haemostasis.py
declared with ``per_item``, as a kernel ``_<name>`` and its grid1d launcher."""

from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import haemostasis as rules

globals().update(cuda_launchers(rules))
