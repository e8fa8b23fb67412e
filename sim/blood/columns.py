"""The time-series columns of the blood operations that observe values:
:class:`~alveosim.blood.transport.BloodTransport` (free sEVs and the
ledger) and :class:`~alveosim.blood.clots.Occlusion` (the clot report)."""

from __future__ import annotations

from alveosim.blood import ledger
from alveosim.blood.clots import Occlusion
from alveosim.blood.species import PLATELET
from alveosim.blood.transport import BloodTransport
from alveosim.operations import Column, declares_columns

# ledger entry -> what it counts (every entry is a count since the run started)
LEDGER = {
    "ev_seeded": "sEVs placed in the blood at the start",
    "ev_inflow": "sEVs carried in by inflowing blood",
    "ev_shed": "sEVs shed by reprogrammed macrophages",
    "ev_outflow": "sEVs carried out by outflowing blood",
    "ev_cleared": "sEVs cleared (half-life)",
    "ev_bound": "sEVs bound to platelets",
    "platelet_seeded": "platelets placed in the blood at the start",
    "platelet_inflow": "platelets carried in by inflowing blood",
    "platelet_outflow": "platelets carried out by outflowing blood",
}


@declares_columns(BloodTransport)
def transport_columns(op: BloodTransport) -> list[Column]:
    """Free sEVs, then every ledger entry."""
    return [Column("ev_free", "count", "free sEVs in the blood")] + [Column(key, "count", LEDGER[key]) for key in ledger.KEYS]


@declares_columns(Occlusion)
def clot_columns(op: Occlusion) -> list[Column]:
    """The clot report: platelets by state, then the aggregates."""
    return [Column(f"platelets_{name}", "count", f"platelets {name}") for name in PLATELET.states] + [
        Column("aggregates", "count", "platelet aggregates (connected sets sharing an aggregate id)"),
        Column("clot_largest_platelets", "count", "platelets in the largest aggregate"),
        Column("clot_largest_um3", "um3", "volume of the largest aggregate"),
        Column("clot_volume_um3", "um3", "volume of all aggregated platelets"),
    ]
