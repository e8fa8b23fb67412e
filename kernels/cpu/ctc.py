"""CPU launchers for circulating tumour cells (rules in kernels/rules/ctc.py),
generated from their ``per_item`` declarations."""

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import ctc as rules

globals().update(cpu_launchers(rules))
