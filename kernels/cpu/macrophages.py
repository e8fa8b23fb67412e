"""CPU launchers for interstitial macrophages: every rule of kernels/rules/macrophages.py
declared with ``per_item``, as a ``prange`` loop (kernels/per_item.py)."""

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import macrophages as rules

globals().update(cpu_launchers(rules))
