"""Systemic pools of the lung pro-thrombotic niche (tissue side):
the primary tumour's CXCL13 secretion into plasma (through the fields
feature's plasma API), the plasma pool of IM-derived sEV-β2, and the anti-β2
blocking fraction θ. Lung metastases are tumour agents (sim/tumour), which
secrete CXCL13 into the field themselves.

State it keeps (``state.values``): ``plasma_sev_b2_per_um3`` (EVs/µm³, what
inflowing blood carries), ``antibody_theta`` (θ ∈ [0, 1]), ``ev_beta2`` (β2 content of new sEVs: 1, or
0 for the Itgb2 knockout).
"""

from __future__ import annotations

import math

from alveosim.operations import BOTH, TISSUE, Column, Operation

UM3_PER_ML = 1e12


def sev_pool_step(p: float, source: float, k_clear: float, dt: float) -> float:
    """Exact step of dP/dt = source − k_clear · P over ``dt`` s with a constant
    source (EVs/µm³/s); P in EVs/µm³, k_clear in 1/s (> 0)."""
    decay = math.exp(-k_clear * dt)
    return p * decay + source / k_clear * (1.0 - decay)


def blocking_fraction(antibody_nM: float, kd_nM: float) -> float:
    """θ = A / (A + Kd): the fraction of β2 blocked by antibody at A nM."""
    a = max(antibody_nM, 0.0)
    return a / (a + kd_nM)


def organ_sev_source(values: dict, shedding_rate: float, organ_im_count: float, plasma_volume_um3: float) -> float:
    """Whole-lung sEV-β2 release per plasma volume (EVs/µm³/s): λ_ev times the
    domain's reprogrammed IM fraction times the organ's IM count."""
    n = values.get("im_count", 0.0)
    if n <= 0:
        return 0.0
    return shedding_rate * (values.get("im_reprogrammed", 0.0) / n) * organ_im_count / plasma_volume_um3


class TumourSecretion(Operation):
    """Tissue clock: the primary tumour adds ``s0 · 2^(t/Td)`` pM/s to plasma CXCL13."""

    clocks = frozenset({TISSUE})

    def __init__(self, primary, trigger=None):
        super().__init__(trigger)
        self.primary = primary

    def attach(self, sim):
        super().attach(sim)
        self.plasma = getattr(sim, "plasma", None)
        if self.plasma is None:
            raise ValueError("primary_tumour: needs a 'cxcl13' plasma compartment (the 'plasma:' section)")

    def secretion(self, time: float) -> float:
        """Primary-tumour CXCL13 production at ``time`` s (pM/s)."""
        p = self.primary
        growth = 1.0 if p.doubling_time is None else 2.0 ** (time / p.doubling_time)
        return p.cxcl13_secretion * growth

    def act(self, state, dt):
        self.plasma.add_rate("cxcl13", self.secretion(state.time))


class SystemicPools(Operation):
    """Both clocks: advance the plasma sEV-β2 pool exactly over dt, and set
    θ from the plasma antibody concentration."""

    clocks = BOTH

    def __init__(self, pool_cfg, antibody_cfg, shedding_rate: float, trigger=None):
        super().__init__(trigger)
        self.pool_cfg = pool_cfg
        self.antibody_cfg = antibody_cfg
        self.shedding_rate = shedding_rate

    def attach(self, sim):
        super().attach(sim)
        self.plasma = getattr(sim, "plasma", None)
        if self.antibody_cfg is not None and self.plasma is None:
            raise ValueError(f"antibody: needs a plasma compartment {self.antibody_cfg.compartment!r} (the 'plasma:' section)")

    def theta(self, state) -> float:
        a = self.antibody_cfg
        if a is None:
            return 0.0
        return blocking_fraction(self.plasma.value(state, a.compartment), a.kd)

    def act(self, state, dt):
        v = state.values
        c = self.pool_cfg
        if c is not None:
            source = organ_sev_source(v, self.shedding_rate, c.organ_im_count, c.plasma_volume)
            k = math.log(2.0) / c.clearance_half_life
            v["plasma_sev_b2_per_um3"] = sev_pool_step(v["plasma_sev_b2_per_um3"], source, k, dt)
        v["antibody_theta"] = self.theta(state)

    def columns(self):
        return [Column("plasma_sev_b2_per_mL", "1/mL", "sEV-beta2 concentration in plasma"),
                Column("antibody_theta", "1", "fraction of beta2 blocked by the antibody")]

    def observe(self, state):
        v = state.values
        return {
            "plasma_sev_b2_per_mL": v.get("plasma_sev_b2_per_um3", 0.0) * UM3_PER_ML,
            "antibody_theta": v.get("antibody_theta", 0.0),
        }


def initialize(sim) -> None:
    """Initial pools of a new run: sEV-β2 at the pool's initial value (without
    a pool: the constant ``blood.vesicles.plasma_concentration``), θ = 0
    until the first step, β2 content of EVs."""
    cfg, st = sim.config, sim.state
    if cfg.sev_pool is not None:
        plasma = cfg.sev_pool.initial
    else:
        plasma = cfg.blood.vesicles.plasma_concentration if cfg.blood is not None else 0.0
    st.values["plasma_sev_b2_per_um3"] = plasma
    st.values["antibody_theta"] = 0.0
    st.values["ev_beta2"] = 0.0 if (cfg.macrophages is not None and cfg.macrophages.itgb2_knockout) else 1.0


def operations(sim) -> list[Operation]:
    """Tumour secretion (tissue clock) and the systemic pools (both clocks)."""
    cfg = sim.config
    ops: list[Operation] = []
    if cfg.primary_tumour is not None:
        ops.append(TumourSecretion(cfg.primary_tumour))
    if cfg.sev_pool is not None or cfg.antibody is not None:
        shedding = cfg.macrophages.shedding_rate if cfg.macrophages is not None else 0.0
        ops.append(SystemicPools(cfg.sev_pool, cfg.antibody, shedding))
    return ops
