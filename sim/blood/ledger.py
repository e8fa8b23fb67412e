"""The blood ledger: every EV and platelet birth and death, counted on the
device in ``state.arrays["blood_ledger"]`` (int64 [len(KEYS)], one entry per
key, advanced by kernels and array operations inside a step, read by the
host only when logging; checkpoints keep it). Pools balance as

    ev pool n       = ev_seeded + ev_inflow + ev_shed − ev_outflow − ev_cleared − ev_bound
    platelet pool n = platelet_seeded + platelet_inflow − platelet_outflow
"""

from __future__ import annotations

import numpy as np

from alveosim import arrays

EV_IN = ("ev_seeded", "ev_inflow", "ev_shed")
EV_OUT = ("ev_outflow", "ev_cleared", "ev_bound")
PLATELET_IN = ("platelet_seeded", "platelet_inflow")
PLATELET_OUT = ("platelet_outflow",)
KEYS = EV_IN + EV_OUT + PLATELET_IN + PLATELET_OUT
INDEX = {key: i for i, key in enumerate(KEYS)}
ARRAY = "blood_ledger"

arrays.declare(ARRAY, unit="agents", internal=True)


def counts(state):
    """The device ledger (int64 [len(KEYS)]), created zero when absent."""
    ledger = state.arrays.get(ARRAY)
    if ledger is None:
        ledger = state.arrays[ARRAY] = state.backend.xp.zeros(len(KEYS), dtype=np.int64)
    return ledger


def add(state, key: str, count) -> None:
    """Count ``count`` agents (a host int, or a device int64 [1] or 0-d
    array: no transfer) under ledger entry ``key``."""
    i = INDEX[key]
    ledger = counts(state)
    ledger[i : i + 1] += int(count) if isinstance(count, (int, float)) else count


def values(state) -> dict[str, float]:
    """Every ledger entry (one transfer)."""
    host = state.backend.to_host(counts(state))
    return {key: float(host[i]) for i, key in enumerate(KEYS)}


def expected_counts(state) -> tuple[float, float]:
    """(EVs, platelets) that the ledger says should be alive."""
    v = values(state)
    ev = sum(v[k] for k in EV_IN) - sum(v[k] for k in EV_OUT)
    platelets = sum(v[k] for k in PLATELET_IN) - sum(v[k] for k in PLATELET_OUT)
    return ev, platelets
