"""The ``tumour`` species: the contract shared by the tumour, the alveolar macrophages and the lesions.

Fields: ``pos`` f4[3] µm; ``radius`` f4 µm; ``volume`` f4 µm³ (V/2 at birth,
V = 4/3 π r³ at division); ``state`` u1 (``epithelial``, ``emt``); ``cycle``
f4 (fraction of the cell cycle done, 0..1); ``cycle_time`` f4 s (this cell's
cycle time, drawn at birth); ``trm_contact`` u1 (1 while a TRM touches the
cell; written by the alveolar-macrophage feature); ``lesion`` i8 (cluster
label written by the lesion measurement; -1 before).
"""

from __future__ import annotations

from alveosim.kernels.rules.tumour import EMT, EPITHELIAL
from alveosim.species import Species, register

STATES = tuple(name for _, name in sorted({EPITHELIAL: "epithelial", EMT: "emt"}.items()))  # state codes of kernels/rules/tumour.py

TUMOUR = register(
    Species(
        "tumour",
        fields={
            "pos": ("f4", (3,)),
            "radius": ("f4", ()),
            "volume": ("f4", ()),
            "state": ("u1", ()),
            "cycle": ("f4", ()),
            "cycle_time": ("f4", ()),
            "trm_contact": ("u1", ()),
            "lesion": ("i8", ()),
        },
        units={
            "pos": "um",
            "radius": "um",
            "volume": "um^3",
            "cycle": "fraction of the cell cycle",
            "cycle_time": "s",
            "trm_contact": "1 when a TRM is within contact distance",
            "lesion": "cluster label (-1: not measured)",
        },
        states=STATES,
    )
)
