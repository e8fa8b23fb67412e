"""The ``trm`` and ``mdm`` species: one factory, so both pools share the field
layout and every kernel (they differ only in name and state names).

Fields: ``pos`` [3] float32 µm; ``state`` uint8 (codes in
kernels/rules/alveolar.py: 0 resident/recruited, 1 tumour_associated, 2 rim);
``nearest_tumour_um`` float32 (distance to the nearest tumour cell within the
search radius, 1e9 when none; written each tissue step); ``crowding`` int32
(tumour cells within the crowding radius); ``away`` [3] float32 (unit vector
from the centroid of those tumour cells to the macrophage, 0 when none).
"""

from __future__ import annotations

from alveosim.species import Species, register


def macrophage_species(name: str, states: tuple[str, ...]) -> Species:
    """Register a macrophage species with the shared alveolar field layout."""
    return register(
        Species(
            name,
            fields={"pos": ("f4", (3,)), "state": ("u1", ()), "nearest_tumour_um": ("f4", ()), "crowding": ("i4", ()), "away": ("f4", (3,))},
            units={"pos": "um", "nearest_tumour_um": "um", "crowding": "tumour cells", "away": "unit vector"},
            states=states,
        )
    )


TRM = macrophage_species("trm", ("resident", "tumour_associated", "rim"))
MDM = macrophage_species("mdm", ("recruited", "tumour_associated"))
