"""CPU launchers for the capillary flow solve: every rule of kernels/rules/flow.py
declared with ``per_item``, as a ``prange`` loop (kernels/per_item.py)."""

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import flow as rules

globals().update(cpu_launchers(rules))
