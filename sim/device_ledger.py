"""A ledger of counts kept on the device: one int64 entry per key in
``state.arrays[array]`` (int64 [len(keys)]), advanced by kernels and array
operations inside a step without a transfer, read by the host only when
logging; checkpoints keep it (it is a State array)."""

from __future__ import annotations

import numpy as np

from alveosim import arrays


class DeviceLedger:
    """Counts (``unit``, e.g. agents) under ``keys`` in ``state.arrays[array]``."""

    def __init__(self, array: str, keys: tuple[str, ...], unit: str = "agents"):
        self.array = array
        self.keys = tuple(keys)
        self.index = {key: i for i, key in enumerate(self.keys)}
        arrays.declare(array, unit=unit, internal=True)

    def counts(self, state):
        """The device ledger (int64 [len(keys)]), created zero when absent."""
        ledger = state.arrays.get(self.array)
        if ledger is None:
            ledger = state.arrays[self.array] = state.backend.xp.zeros(len(self.keys), dtype=np.int64)
        return ledger

    def add(self, state, key: str, count) -> None:
        """Count ``count`` (a host int, or a device int64 [1] or 0-d array: no
        transfer) under entry ``key``."""
        i = self.index[key]
        self.counts(state)[i : i + 1] += int(count) if isinstance(count, (int, float)) else count

    def values(self, state) -> dict[str, float]:
        """Every entry (one transfer)."""
        host = state.backend.to_host(self.counts(state))
        return {key: float(host[i]) for i, key in enumerate(self.keys)}
