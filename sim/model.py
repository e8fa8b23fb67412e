"""The model's features, in step order. Each feature module provides
``initialize(sim)`` (initial state of a new run, from the config) and
``operations(sim)`` (its operations, in the order they act within a step).
A new feature is one module plus one entry here."""

from __future__ import annotations

from importlib import import_module

FEATURES: list[str] = [
    "alveosim.lattice.feature",  # lung lattice and capillary flow (first)
    "alveosim.fields.feature",  # fields and plasma (after the lattice)
    "alveosim.walker",
    "alveosim.tumour.feature",  # tumour cells (before the alveolar macrophages and lesions)
    "alveosim.alveolar.feature",  # TRMs and MDMs (after the tumour cells they sense)
    "alveosim.lesions",  # lesion measurements at logging (after the tumour cells and macrophages)
    "alveosim.macrophages",
    "alveosim.systemic",
    "alveosim.blood.feature",  # blood: sEVs, platelets, clots (after the tissue biology)
    "alveosim.ctc.feature",  # circulating tumour cells (after the platelets they arrest at)
    "alveosim.io.feature",  # writers last: they see every feature's state
]


def feature_modules():
    return [import_module(name) for name in FEATURES]
