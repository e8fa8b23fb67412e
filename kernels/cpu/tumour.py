"""CPU launchers for tumour cells: every one declared with ``per_item``
beside its rule in kernels/rules/tumour.py (repulsion sweeps and neighbour
lists over cell-sorted slots, growth, division, death, EMT, motility)."""

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import tumour as rules

globals().update(cpu_launchers(rules))
