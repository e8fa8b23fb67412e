"""Voxel labels of the lung lattice, for the simulation's modules: defined
in :mod:`alveosim.kernels.labels` (the kernels read them without importing
the simulation)."""

from alveosim.kernels.labels import AIR, BLOOD, CAPILLARY, INLET, NAMES, OUTLET, POST, SEPTUM

__all__ = ["AIR", "BLOOD", "CAPILLARY", "INLET", "NAMES", "OUTLET", "POST", "SEPTUM"]
