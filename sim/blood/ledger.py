"""The blood ledger: every EV and platelet birth and death, counted in
``state.values`` (so checkpoints keep it). Pools balance as

    ev pool n       = ev_seeded + ev_inflow + ev_shed − ev_outflow − ev_cleared − ev_bound
    platelet pool n = platelet_seeded + platelet_inflow − platelet_outflow
"""

from __future__ import annotations

EV_IN = ("ev_seeded", "ev_inflow", "ev_shed")
EV_OUT = ("ev_outflow", "ev_cleared", "ev_bound")
PLATELET_IN = ("platelet_seeded", "platelet_inflow")
PLATELET_OUT = ("platelet_outflow",)
KEYS = EV_IN + EV_OUT + PLATELET_IN + PLATELET_OUT


def add(state, key: str, count: int) -> None:
    """Count ``count`` agents under ledger entry ``key``."""
    state.values[key] = state.values.get(key, 0.0) + float(count)


def values(state) -> dict[str, float]:
    """Every ledger entry (0 when not yet counted)."""
    return {key: state.values.get(key, 0.0) for key in KEYS}


def expected_counts(state) -> tuple[float, float]:
    """(EVs, platelets) that the ledger says should be alive."""
    v = values(state)
    ev = sum(v[k] for k in EV_IN) - sum(v[k] for k in EV_OUT)
    platelets = sum(v[k] for k in PLATELET_IN) - sum(v[k] for k in PLATELET_OUT)
    return ev, platelets
