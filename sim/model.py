"""The model's features, in step order. Each feature module provides
``initialize(sim)`` (initial state of a new run, from the config) and
``operations(sim)`` (its operations, in the order they act within a step).
A new feature is one module plus one entry here."""

from __future__ import annotations

from importlib import import_module

FEATURES: list[str] = [
    "sim.walker",
]


def feature_modules():
    return [import_module(name) for name in FEATURES]
