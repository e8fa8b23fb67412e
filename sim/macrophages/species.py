"""The ``im`` species: interstitial macrophages (prefix of their time-series
columns ``im_*``). Fields: ``pos`` [3] float32 µm; ``state`` uint8 (codes in
kernels/rules/macrophages.py: 0 naive, 1 reprogrammed); ``cxcl13`` float32 pM
(sampled each tissue step); ``shed_voxel`` int64 (flat voxel index, -1: no
blood voxel in reach)."""

from __future__ import annotations

from alveosim.species import Species, register

IM = register(
    Species(
        "im",
        fields={"pos": ("f4", (3,)), "state": ("u1", ()), "cxcl13": ("f4", ()), "shed_voxel": ("i8", ())},
        units={"pos": "um", "cxcl13": "pM", "shed_voxel": "flat voxel index (-1: no blood voxel in reach)"},
        states=("naive", "reprogrammed"),
    )
)
