"""CPU launchers for alveolar macrophages (TRMs and MDMs): every rule of kernels/rules/alveolar.py
declared with ``per_item``, as a ``prange`` loop (kernels/per_item.py)."""

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import alveolar as rules

globals().update(cpu_launchers(rules))
