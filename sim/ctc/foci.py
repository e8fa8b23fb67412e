"""CTCs on the tissue clock: those still circulating after a window have
left the box; arrested CTCs extravasate into tumour cells (metastatic foci)
or are cleared. Runs on the host (a tissue step may read the device)."""

from __future__ import annotations

import math

import numpy as np

from alveosim.ctc import ledger
from alveosim.ctc.species import ARRESTED, CIRCULATING, EXTRAVASATED
from alveosim.labels import AIR, BLOOD, SEPTUM
from alveosim.operations import TISSUE, Column, Operation
from alveosim.streams import Stream
from alveosim.tumour.geometry import Confinement
from alveosim.tumour.seeding import seeded_cells, touching

COLUMNS = [
    Column("ctc_arrived", "cells", "CTCs that entered the box with the blood since the run started"),
    Column("ctc_circulating", "cells", "CTCs moving in the capillaries now"),
    Column("ctc_arrested", "cells", "CTCs arrested in the capillaries now (not yet extravasated or cleared)"),
    Column("ctc_arrested_at_clot", "cells", "arrests at a clot (aggregated platelet within contact, or next to an occluded voxel) since the start"),
    Column("ctc_arrested_open", "cells", "arrests in open capillary since the start"),
    Column("ctc_extravasated", "cells", "arrested CTCs that extravasated into tumour cells since the start"),
    Column("ctc_cleared", "cells", "arrested CTCs that died or were cleared since the start"),
    Column("ctc_outflow", "cells", "CTCs that left the box with the blood since the start"),
    Column("metastatic_foci", "foci", "extravasated CTCs whose tumour cell is alive now"),
    Column("metastatic_foci_from_clot", "foci", "metastatic_foci whose CTC arrested at a clot"),
]


class CtcFate(Operation):
    """Each tissue step: circulating CTCs leave (``ctc_outflow``: the blood
    of a window has passed through the box by the next tissue step); each
    arrested CTC extravasates with probability (1 − e^(−a·dt))·(1/τ)/a or is
    cleared with probability (1 − e^(−a·dt))·k/a, a = 1/τ + k (τ =
    ``extravasation_time``, k = ``clearance_rate``). An extravasating CTC
    becomes an epithelial tumour cell (the tumour species' attributes, cycle
    state as seeded cells) at the centre of the AIR or SEPTUM voxel next to
    blood nearest to it, and stays in the pool, extravasated, as the record
    of its focus (``tumour`` = the cell's uid)."""

    name = "ctc.fate"
    after = "blood"  # after the tissue step's blood window
    clocks = frozenset({TISSUE})

    def __init__(self, cfg, tumour_cfg):
        super().__init__()
        self.cfg = cfg
        self.tumour_cfg = tumour_cfg

    def attach(self, sim):
        super().attach(sim)
        labels = sim.backend.to_host(Confinement().labels(sim))
        self.h = float(sim.config.domain.voxel)
        gates = touching(labels, (AIR, SEPTUM), BLOOD)
        self.gates = ((np.stack(np.unravel_index(gates, labels.shape), axis=1) + 0.5) * self.h).astype(np.float32)

    def act(self, state, dt):
        pool = state.pool("ctc")
        if pool.n == 0:
            return
        st = state.backend.to_host(pool.live("state"))
        leaving = st == CIRCULATING
        arrested = np.flatnonzero(st == ARRESTED)
        gone = leaving.copy()
        if arrested.size:
            k_ext, k_clear = 1.0 / self.cfg.extravasation_time, self.cfg.clearance_rate
            p_any = -math.expm1(-(k_ext + k_clear) * dt)
            u = np.random.default_rng([state.seed, int(Stream.CTC_FATE), state.step + 1]).random(arrested.size)
            extravasate = arrested[u < p_any * k_ext / (k_ext + k_clear)]
            cleared = arrested[(u >= p_any * k_ext / (k_ext + k_clear)) & (u < p_any)]
            gone[cleared] = True
            ledger.add(state, "ctc_cleared", int(cleared.size))
            if extravasate.size:
                self._extravasate(state, pool, extravasate)
        ledger.add(state, "ctc_outflow", int(leaving.sum()))
        if gone.any():
            pool.remove(state.backend.asarray(gone), int(gone.sum()))

    def _extravasate(self, state, pool, rows: np.ndarray) -> None:
        """Tumour cells for the CTCs at host ``rows`` of the pool."""
        pos = state.backend.to_host(pool.live("pos"))[rows].astype(np.float64)
        d2 = ((pos[:, None, :] - self.gates[None, :, :].astype(np.float64)) ** 2).sum(axis=2)
        at = self.gates[np.argmin(d2, axis=1)]
        tumour = state.pool("tumour")
        first = tumour.next_uid
        c = self.tumour_cfg
        tumour.add(seeded_cells(at, c.division_volume, c.doubling_time, c.doubling_time_cv, state.seed, key=(int(Stream.CTC_FOCUS), state.step + 1)))
        if getattr(self.sim, "tumour_cells", None) is not None:
            self.sim.tumour_cells.build(tumour.arrays["pos"], tumour.n)
        device_rows = state.backend.asarray(rows.astype(np.int64))
        pool.arrays["state"][device_rows] = EXTRAVASATED
        pool.arrays["tumour"][device_rows] = state.backend.asarray(np.arange(first, first + rows.size, dtype=np.int64))
        ledger.add(state, "ctc_extravasated", int(rows.size))

    def columns(self):
        return COLUMNS

    def observe(self, state):
        pool = state.pool("ctc")
        xp = state.backend.xp
        st = pool.live("state")
        founded = st == EXTRAVASATED
        alive = xp.isin(pool.live("tumour"), state.pool("tumour").uid) & founded
        from_clot = alive & (pool.live("at_clot") != 0)
        counts = state.backend.scalars([xp.count_nonzero(st == CIRCULATING), xp.count_nonzero(st == ARRESTED), xp.count_nonzero(alive), xp.count_nonzero(from_clot)])
        out = ledger.values(state)
        out.update(ctc_circulating=float(counts[0]), ctc_arrested=float(counts[1]), metastatic_foci=float(counts[2]), metastatic_foci_from_clot=float(counts[3]))
        return out
