"""The blood species: small EVs and platelets (struct-of-arrays fields, once).

State codes are the ``states`` index, defined once in
``alveosim.kernels.states`` (re-exported here)."""

from __future__ import annotations

from alveosim.kernels.states import ACTIVATED, AGGREGATED, BOUND, BY_INJURY, BY_NONE, BY_SEV, BY_SPONTANEOUS, FREE, PRIMED, RESTING  # noqa: F401
from alveosim.species import Species, register

EV = register(
    Species(
        "ev",
        fields={"pos": ("f4", (3,)), "beta2": ("f4", ()), "state": ("u1", ())},
        units={"pos": "um", "beta2": "a.u. (1 wild type, 0 knockout)"},
        states=("free", "bound"),
    )
)

PLATELET = register(
    Species(
        "platelet",
        fields={
            "pos": ("f4", (3,)),
            "state": ("u1", ()),
            "n_bound": ("i4", ()),
            "timer": ("f4", ()),
            "activated_by": ("u1", ()),
            "aggregate": ("i8", ()),
        },
        units={"pos": "um", "n_bound": "sEVs", "timer": "s since priming", "activated_by": "0 none, 1 sEV, 2 spontaneous, 3 injury (plug)", "aggregate": "min uid of the aggregate, -1 none"},
        states=("resting", "primed", "activated", "aggregated"),
    )
)
