"""The CTC ledger: every arrival, arrest and fate of circulating tumour
cells, counted on the device in ``state.arrays["ctc_ledger"]`` (int64
[len(KEYS)]), read by the host only when logging; checkpoints keep it. The
pool balances as

    ctc_arrived = circulating + arrested + extravasated (the pool, by state)
                  + ctc_cleared + ctc_outflow

and ``ctc_arrested_at_clot + ctc_arrested_open`` counts every arrest."""

from __future__ import annotations

import numpy as np

from alveosim import arrays

KEYS = ("ctc_arrived", "ctc_outflow", "ctc_arrested_open", "ctc_arrested_at_clot", "ctc_extravasated", "ctc_cleared")
INDEX = {key: i for i, key in enumerate(KEYS)}
ARRAY = "ctc_ledger"

arrays.declare(ARRAY, unit="agents", internal=True)


def counts(state):
    """The device ledger (int64 [len(KEYS)]), created zero when absent."""
    ledger = state.arrays.get(ARRAY)
    if ledger is None:
        ledger = state.arrays[ARRAY] = state.backend.xp.zeros(len(KEYS), dtype=np.int64)
    return ledger


def add(state, key: str, count) -> None:
    """Count ``count`` CTCs (a host int, or a device int64 0-d or [1] array: no transfer) under ``key``."""
    i = INDEX[key]
    counts(state)[i : i + 1] += int(count) if isinstance(count, (int, float)) else count


def values(state) -> dict[str, float]:
    """Every ledger entry (one transfer)."""
    host = state.backend.to_host(counts(state))
    return {key: float(host[i]) for i, key in enumerate(KEYS)}
