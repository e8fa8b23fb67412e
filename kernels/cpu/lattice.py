"""CPU launchers for the lung-lattice generator: every rule of kernels/rules/lattice.py
declared with ``per_item``, as a ``prange`` loop (kernels/per_item.py)."""

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import lattice as rules

globals().update(cpu_launchers(rules))
