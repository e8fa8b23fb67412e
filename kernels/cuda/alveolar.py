"""CUDA launchers for alveolar macrophages (TRMs and MDMs): every rule of kernels/rules/alveolar.py
declared with ``per_item``, as a kernel ``_<name>`` and its grid1d launcher
(kernels/per_item.py)."""

from alveosim.kernels.per_item import cuda_launchers
from alveosim.kernels.rules import alveolar as rules

globals().update(cuda_launchers(rules))
