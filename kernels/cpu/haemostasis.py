"""CPU launchers of the haemostasis rules (kernels/rules/haemostasis.py),
generated from their ``per_item`` declarations."""

from alveosim.kernels.per_item import cpu_launchers
from alveosim.kernels.rules import haemostasis as rules

globals().update(cpu_launchers(rules))
