"""The blood ledger: every EV and platelet birth and death, counted on the
device in ``state.arrays["blood_ledger"]`` (int64 [len(KEYS)], one entry per
key, advanced by kernels and array operations inside a step, read by the
host only when logging; checkpoints keep it). Pools balance as

    ev pool n       = ev_seeded + ev_inflow + ev_shed − ev_outflow − ev_cleared − ev_bound
    platelet pool n = platelet_seeded + platelet_inflow − platelet_outflow
"""

from __future__ import annotations

from alveosim.device_ledger import DeviceLedger

EV_IN = ("ev_seeded", "ev_inflow", "ev_shed")
EV_OUT = ("ev_outflow", "ev_cleared", "ev_bound")
PLATELET_IN = ("platelet_seeded", "platelet_inflow")
PLATELET_OUT = ("platelet_outflow",)
KEYS = EV_IN + EV_OUT + PLATELET_IN + PLATELET_OUT
ARRAY = "blood_ledger"
LEDGER = DeviceLedger(ARRAY, KEYS)
INDEX = LEDGER.index
counts, add, values = LEDGER.counts, LEDGER.add, LEDGER.values


def expected_counts(state) -> tuple[float, float]:
    """(EVs, platelets) that the ledger says should be alive."""
    v = values(state)
    ev = sum(v[k] for k in EV_IN) - sum(v[k] for k in EV_OUT)
    platelets = sum(v[k] for k in PLATELET_IN) - sum(v[k] for k in PLATELET_OUT)
    return ev, platelets
