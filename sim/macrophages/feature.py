"""Interstitial macrophages (IMs) of the lung pro-thrombotic niche: placed in
septal voxels, reprogrammed by local CXCL13 (CXCR5 signalling), and — once
reprogrammed — shedding small EVs into their nearest blood voxel, written as
``state.arrays["ev_shed_rate"]`` for the blood side (the EVs of the blood side).

State it keeps: the ``im`` pool, ``state.arrays["ev_shed_rate"]`` (float32
[nx, ny, nz], sEVs/s per voxel) and ``state.values``: ``im_count``,
``im_reprogrammed`` (counts after the last tissue step).
"""

from __future__ import annotations

import math

import numpy as np

from alveosim.kernels.rules.macrophages import NAIVE, REPROGRAMMED
from alveosim.arrays import declare
from alveosim.channels import EV_SHED_RATE, FIELDS, LABELS
from alveosim.labels import SEPTUM
from alveosim.macrophages.species import IM
from alveosim.operations import TISSUE, Column, Operation
from alveosim.streams import Stream

declare(EV_SHED_RATE, "sEVs/s per voxel")


def septal_positions(labels: np.ndarray, voxel_um: float, density_per_um3: float, seed: int) -> np.ndarray:
    """Positions of IMs in distinct SEPTUM voxels, uniform inside each voxel.

    labels: host uint8 [nx, ny, nz]; the count is round(density · septal volume),
    at most one IM per voxel. Returns [m, 3] float32, µm. Deterministic in the seed.
    """
    septal = np.flatnonzero(labels.ravel() == SEPTUM)
    count = min(int(round(density_per_um3 * septal.size * voxel_um**3)), septal.size)
    rng = np.random.default_rng([seed, int(Stream.IM_PLACEMENT)])
    chosen = np.sort(rng.choice(septal, size=count, replace=False))
    ijk = np.stack(np.unravel_index(chosen, labels.shape), axis=1).astype(np.float64)
    return ((ijk + rng.random((count, 3))) * voxel_um).astype(np.float32)


def place_macrophages(sim) -> None:
    """Create the ``im`` pool in the SEPTUM voxels of ``state.arrays["labels"]``
    (none when ``depleted``), find each IM's shedding voxel, and zero
    ``ev_shed_rate``."""
    cfg = sim.config.macrophages
    st, be = sim.state, sim.backend
    labels = _labels(sim)
    h = sim.config.domain.voxel
    density = 0.0 if cfg.depleted else cfg.density
    pos = septal_positions(be.to_host(labels), h, density, sim.config.seed)
    pool = sim.add_pool(IM, max(1, len(pos)))
    pool.add({"pos": pos, "state": np.full(len(pos), NAIVE, dtype=np.uint8)})
    be.kernels("macrophages").nearest_blood(pool.n, pool.arrays["pos"], labels, h, cfg.shedding_reach, pool.arrays["shed_voxel"])
    st.arrays[EV_SHED_RATE] = be.xp.zeros(labels.shape, dtype=np.float32)
    st.values["im_count"] = float(pool.n)
    st.values["im_reprogrammed"] = 0.0


def _labels(sim):
    sim.channels.optional(LABELS, __name__)  # refused below, in this feature's words, when absent
    labels = sim.state.arrays.get(LABELS)
    if labels is None:
        raise ValueError("macrophages: needs the lung lattice (a 'lattice:' section) to place IMs in septal voxels")
    return labels


def shedding_rate_field(state, shedding_rate_per_s: float) -> None:
    """Write ``ev_shed_rate`` (sEVs/s per voxel): λ_ev times the number of
    reprogrammed IMs whose shedding voxel it is. Integer counts, so the
    result does not depend on the order of the IMs."""
    xp = state.backend.xp
    pool = state.pool("im")
    out = state.arrays[EV_SHED_RATE]
    out.fill(0)
    voxel = pool.live("shed_voxel")
    voxel = voxel[(pool.live("state") == REPROGRAMMED) & (voxel >= 0)]
    if voxel.shape[0]:
        uniq, counts = xp.unique(voxel, return_counts=True)
        out.reshape(-1)[uniq] = (counts * shedding_rate_per_s).astype(np.float32)


class Reprogramming(Operation):
    """Tissue clock: sample CXCL13 at each IM, switch ``naive → reprogrammed``
    with hazard k_rep · C^n/(C^n + K^n) (reversion at ``reversion_rate``),
    take up CXCL13, and refresh ``ev_shed_rate``."""

    clocks = frozenset({TISSUE})
    name = "macrophages.reprogramming"
    after = frozenset({"fields", "tumour", "alveolar", "lesions"})

    def __init__(self, cfg, trigger=None):
        super().__init__(trigger)
        self.rate = 0.0 if cfg.cxcr5_knockout else cfg.reprogramming_rate
        self.k_pow_n = cfg.half_saturation**cfg.hill_coefficient
        self.n_hill = cfg.hill_coefficient
        self.reversion_rate = cfg.reversion_rate
        self.shedding_rate = cfg.shedding_rate
        self.uptake_rate = cfg.cxcl13_uptake_rate

    def attach(self, sim):
        super().attach(sim)
        self.k = sim.backend.kernels("macrophages")
        self.fields = sim.channels.optional(FIELDS, __name__)
        if self.fields is None or "cxcl13" not in self.fields.names:
            raise ValueError("macrophages: needs a 'cxcl13' field (the 'fields:' section) to reprogram IMs")

    def act(self, state, dt):
        pool = state.pool("im")
        n = pool.n
        if n == 0:
            return
        self.fields.sample("cxcl13", pool.arrays["pos"], n, pool.arrays["cxcl13"])
        self.k.reprogram(
            n, pool.arrays["uid"], pool.arrays["state"], pool.arrays["cxcl13"], state.seed, int(Stream.IM_REPROGRAM),
            state.step, self.rate * dt, self.k_pow_n, self.n_hill, -math.expm1(-self.reversion_rate * dt),
        )
        if self.uptake_rate > 0:
            self.fields.add_uptake("cxcl13", pool.arrays["pos"], self.uptake_rate, n)
        shedding_rate_field(state, self.shedding_rate)
        state.values["im_reprogrammed"] = float(state.backend.scalar((pool.live("state") == REPROGRAMMED).sum()))

    def columns(self):
        return [
            Column("im_reprogrammed", "count", "interstitial macrophages reprogrammed"),
            Column("im_reprogrammed_fraction", "1", "share of the interstitial macrophages reprogrammed"),
            Column("ev_shed_rate_per_s", "1/s", "sEVs shed per second by the reprogrammed macrophages"),
        ]

    def observe(self, state):
        n = state.values.get("im_count", 0.0)
        rep = state.values.get("im_reprogrammed", 0.0)
        return {
            "im_reprogrammed": rep,
            "im_reprogrammed_fraction": rep / n if n else 0.0,
            "ev_shed_rate_per_s": float(state.backend.scalar(state.arrays[EV_SHED_RATE].sum(dtype=np.float64))),
        }


def initialize(sim) -> None:
    """Place the IMs of a new run (skipped when resuming from a checkpoint)."""
    if sim.config.macrophages is not None:
        place_macrophages(sim)


def operations(sim) -> list[Operation]:
    """IM reprogramming and shedding on the tissue clock, when configured."""
    cfg = sim.config.macrophages
    if cfg is None:
        return []
    sim.channels.publish(EV_SHED_RATE, __name__)
    return [Reprogramming(cfg)]
