"""Cross-species sensing on the tissue clock: each TRM and MDM finds its
nearest tumour cell, counts the tumour cells crowding it and switches
resident → tumour_associated on contact; tumour cells within contact
distance of a TRM get ``trm_contact = 1`` (0 otherwise).

The tumour positions are sorted into this operation's own cell list each
step (edge = max(contact distance, crowding radius)); the shell search of
kernels/rules/alveolar.py reaches the search radius through it.
"""

from __future__ import annotations

import numpy as np

from alveosim.kernels.rules.alveolar import RIM, TUMOUR_ASSOCIATED
from alveosim.neighbours import CellList
from alveosim.operations import TISSUE, Column, Operation

DISTANCE_WINDOW_UM = 100.0  # trm_tumour_distance_um averages TRMs with a tumour cell this close


def sense_against(backend, pool, cells: CellList, t_pos, contact: float, crowd_radius: float, search: float, t_contact=None) -> None:
    """Run the sensing kernel for the live agents of ``pool`` (``trm`` or
    ``mdm``) against tumour positions ``t_pos`` ([≥m, 3] float32 µm) already
    sorted into ``cells``. Writes the pool's ``nearest_tumour_um``,
    ``crowding``, ``away`` and ``state``; when ``t_contact`` (uint8 [≥m],
    zeroed by the caller) is given, flags the tumour cells in contact."""
    flag = 1 if t_contact is not None else 0
    if t_contact is None:
        t_contact = backend.xp.zeros(1, dtype=np.uint8)
    a = pool.arrays
    backend.kernels("alveolar").sense(
        pool.n, a["pos"], a["state"], a["nearest_tumour_um"], a["crowding"], a["away"], t_pos,
        cells.grid, cells.dims, cells.cell_start, cells.order, contact, crowd_radius, search, flag, t_contact,
    )


class Contacts(Operation):
    """Tissue clock: sensing of TRMs (which also flag tumour contacts) and MDMs."""

    clocks = frozenset({TISSUE})
    name = "alveolar.contacts"
    after = frozenset({"fields", "tumour", "alveolar.depletion"})

    def __init__(self, cfg, trigger=None):
        super().__init__(trigger)
        self.contact = cfg.contact_distance
        self.crowd_radius = cfg.crowding.radius
        self.search = cfg.search_radius

    def attach(self, sim):
        super().attach(sim)
        size = np.asarray(sim.config.domain.size, dtype=np.float64)
        self.cells = CellList(sim.backend, np.zeros(3), size, cutoff=max(self.contact, self.crowd_radius))
        self.no_tumour = sim.backend.xp.zeros((1, 3), dtype=np.float32)

    def act(self, state, dt):
        tumour = state.pools.get("tumour")
        if tumour is not None:
            t_pos, n_t = tumour.arrays["pos"], tumour.n
            t_contact = tumour.arrays.get("trm_contact")
            if t_contact is not None:
                t_contact[:n_t] = 0
        else:
            t_pos, n_t, t_contact = self.no_tumour, 0, None
        self.cells.build(t_pos, n_t)
        be = state.backend
        sense_against(be, state.pool("trm"), self.cells, t_pos, self.contact, self.crowd_radius, self.search, t_contact)
        sense_against(be, state.pool("mdm"), self.cells, t_pos, self.contact, self.crowd_radius, self.search)

    def columns(self):
        return [
            Column("trm_tumour_associated", "count", "TRMs in a tumour-associated state"),
            Column("trm_rim", "count", "TRMs at a lesion rim"),
            Column("mdm_tumour_associated", "count", "MDMs in a tumour-associated state"),
            Column("trm_tumour_distance_um", "um", f"mean distance to the nearest tumour cell of the TRMs within {DISTANCE_WINDOW_UM:g} um of one (NaN: none)"),
        ]

    def observe(self, state):
        be = state.backend
        trm, mdm = state.pool("trm"), state.pool("mdm")
        ts = trm.live("state")
        near = trm.live("nearest_tumour_um")
        close = near < DISTANCE_WINDOW_UM
        n_close = int(be.scalar(close.sum())) if trm.n else 0
        # no TRM near a tumour cell: no distance to report (NaN, never 0 µm)
        mean_d = float(be.scalar(near[close].astype(np.float64).sum())) / n_close if n_close else float("nan")
        return {
            "trm_tumour_associated": float(be.scalar((ts >= TUMOUR_ASSOCIATED).sum())) if trm.n else 0.0,
            "trm_rim": float(be.scalar((ts == RIM).sum())) if trm.n else 0.0,
            "mdm_tumour_associated": float(be.scalar((mdm.live("state") >= TUMOUR_ASSOCIATED).sum())) if mdm.n else 0.0,
            "trm_tumour_distance_um": mean_d,
        }
