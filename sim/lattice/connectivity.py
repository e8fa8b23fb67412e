"""Which blood voxels conduct: 6-connected components of unoccluded blood
that reach both an inlet and an outlet.

Uses ``ndimage.label`` from SciPy on the CPU (and in the CUDA simulator) or
from cupyx on a GPU, so the labelling stays on the device. It runs at set-up
and when occlusion changes (before a flow re-solve), never every step.
"""

from __future__ import annotations


from alveosim import labels as L


def conducting_mask(backend, labels, occluded):
    """bool [nx, ny, nz]: blood voxels (CAPILLARY, INLET, OUTLET) not occluded
    whose 6-connected component holds at least one inlet and one outlet.

    labels: uint8 [nx, ny, nz]; occluded: uint8 [nx, ny, nz] (1 = blocked)."""
    xp = backend.xp
    blood = ((labels == L.CAPILLARY) | (labels == L.INLET) | (labels == L.OUTLET)) & (occluded == 0)
    component, n = backend.scipy("ndimage").label(blood)
    if int(n) == 0:
        return blood
    ids_in = xp.unique(component[blood & (labels == L.INLET)])
    ids_out = xp.unique(component[blood & (labels == L.OUTLET)])
    both = ids_in[xp.isin(ids_in, ids_out)]
    return blood & xp.isin(component, both)
