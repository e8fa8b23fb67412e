"""CPU launchers for random draws: every rule of kernels/rules/draws.py
declared with ``per_item``, as a ``prange`` loop (kernels/per_item.py)."""

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import draws as rules

globals().update(cpu_launchers(rules))
