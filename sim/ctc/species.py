"""The ``ctc`` species: circulating tumour cells in the capillary blood.

Fields: ``pos`` f4[3] µm; ``state`` u1 (``circulating``, ``arrested``,
``extravasated``: the codes of kernels/rules/ctc.py); ``at_clot`` u1 (1 when
it arrested at a clot); ``tumour`` i8 (uid of the tumour cell it became when
it extravasated, -1 before). Extravasated CTCs stay in the pool as the
record of their focus."""

from __future__ import annotations

from alveosim.kernels.rules.ctc import ARRESTED, CIRCULATING, EXTRAVASATED  # noqa: F401
from alveosim.species import Species, register

CTC = register(
    Species(
        "ctc",
        fields={"pos": ("f4", (3,)), "state": ("u1", ()), "at_clot": ("u1", ()), "tumour": ("i8", ())},
        units={"pos": "um", "at_clot": "1 when it arrested at a clot", "tumour": "uid of the tumour cell it became, -1 none"},
        states=("circulating", "arrested", "extravasated"),
    )
)
