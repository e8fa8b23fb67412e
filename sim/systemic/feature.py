"""Systemic pools of the lung pro-thrombotic niche (tissue side):
the primary tumour's CXCL13 secretion into plasma (through the fields
feature's plasma API), the plasma pool of IM-derived sEV-β2, and the anti-β2
blocking fraction θ. Lung metastases are tumour agents (sim/tumour), which
secrete CXCL13 into the field themselves.

The sEV-β2 pool is fed by the organ-level IM compartment (sim/systemic/organ.py),
which follows plasma CXCL13; the box's agent IMs shed only locally.

State it keeps (``state.values``): ``plasma_sev_b2_per_um3`` (EVs/µm³, what
inflowing blood carries), ``organ_im_reprogrammed_fraction`` (f of the organ
IMs, 1), ``antibody_theta`` (θ ∈ [0, 1]), ``ev_beta2`` (β2 content of new
sEVs: 1, or 0 for the Itgb2 knockout).
"""

from __future__ import annotations

from alveosim.channels import ANTIBODY_THETA, EV_BETA2, PLASMA, PLASMA_SEV_B2
from alveosim.operations import BOTH, TISSUE, Column, Operation
from alveosim.systemic.organ import PM_PER_UNIT, OrganKinetics, assay_factor, kinetics, organ_step, patient_key

UM3_PER_ML = 1e12


def blocking_fraction(antibody_nM: float, kd_nM: float) -> float:
    """θ = A / (A + Kd): the fraction of β2 blocked by antibody at A nM."""
    a = max(antibody_nM, 0.0)
    return a / (a + kd_nM)


class PrimaryTumourSecretion(Operation):
    """Tissue clock: the primary tumour adds ``s0 · 2^(t/Td)`` pM/s to plasma CXCL13."""

    clocks = frozenset({TISSUE})
    name = "systemic.tumour_secretion"
    after = frozenset({"tumour", "alveolar", "lesions", "macrophages"})

    def __init__(self, primary, trigger=None):
        super().__init__(trigger)
        self.primary = primary

    def attach(self, sim):
        super().attach(sim)
        self.plasma = sim.plasma  # the plasma channel (read in operations())
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
    """Both clocks: advance the organ IMs and the plasma sEV-β2 pool exactly
    over dt at the current plasma CXCL13, and set θ from the plasma antibody
    concentration. ``kin`` is None without a ``sev_pool:``; ``patient`` keys
    the assay error draws (organ.patient_key)."""

    clocks = BOTH
    name = "systemic.pools"
    after = frozenset({"macrophages", "systemic.tumour_secretion"})

    def __init__(self, kin: OrganKinetics | None, assay_cv: float, antibody_cfg, patient: int = 0, trigger=None):
        super().__init__(trigger)
        self.kin = kin
        self.assay_cv = assay_cv
        self.patient = patient
        self.antibody_cfg = antibody_cfg

    def attach(self, sim):
        super().attach(sim)
        self.plasma = sim.plasma  # the plasma channel (read in operations())
        if self.antibody_cfg is not None and self.plasma is None:
            raise ValueError(f"antibody: needs a plasma compartment {self.antibody_cfg.compartment!r} (the 'plasma:' section)")
        if self.kin is not None:
            comps = {} if self.plasma is None else self.plasma.compartments
            if "cxcl13" not in comps or comps["cxcl13"].unit not in PM_PER_UNIT:
                raise ValueError("sev_pool: the organ IMs need a 'cxcl13' plasma compartment in pM, nM or uM (the 'plasma:' section)")
            self.cxcl13_to_pM = PM_PER_UNIT[comps["cxcl13"].unit]

    def theta(self, state) -> float:
        a = self.antibody_cfg
        if a is None:
            return 0.0
        return blocking_fraction(self.plasma.value(state, a.compartment), a.kd)

    def act(self, state, dt):
        v = state.values
        if self.kin is not None:
            c = self.plasma.value(state, "cxcl13") * self.cxcl13_to_pM
            f, p = organ_step(v["organ_im_reprogrammed_fraction"], v[PLASMA_SEV_B2], c, self.kin, dt)
            v["organ_im_reprogrammed_fraction"] = f
            v[PLASMA_SEV_B2] = p
        v[ANTIBODY_THETA] = self.theta(state)

    def columns(self):
        cols = [Column("plasma_sev_b2_per_mL", "1/mL", "sEV-beta2 concentration in plasma (true value, what the blood carries)")]
        if self.kin is not None:
            cols += [Column("measured_plasma_sev_b2_per_mL", "1/mL", "plasma sEV-beta2 as assayed: true value times a lognormal assay error"),
                     Column("organ_im_reprogrammed_fraction", "1", "share of the whole lung's interstitial macrophages reprogrammed")]
        return cols + [Column("antibody_theta", "1", "fraction of beta2 blocked by the antibody")]

    def observe(self, state):
        v = state.values
        true = v.get(PLASMA_SEV_B2, 0.0) * UM3_PER_ML
        row = {"plasma_sev_b2_per_mL": true}
        if self.kin is not None:
            row["measured_plasma_sev_b2_per_mL"] = true * assay_factor(self.assay_cv, state.seed, state.step, self.patient)
            row["organ_im_reprogrammed_fraction"] = v["organ_im_reprogrammed_fraction"]
        row["antibody_theta"] = v.get(ANTIBODY_THETA, 0.0)
        return row


def initialize(sim) -> None:
    """Initial pools of a new run: sEV-β2 at the pool's initial value (without
    a pool: the constant ``blood.vesicles.plasma_concentration``), no organ IM
    reprogrammed, θ = 0 until the first step, β2 content of EVs."""
    cfg, st = sim.config, sim.state
    if cfg.sev_pool is not None:
        plasma = cfg.sev_pool.initial
    else:
        plasma = cfg.blood.vesicles.plasma_concentration if cfg.blood is not None else 0.0
    st.values[PLASMA_SEV_B2] = plasma
    if cfg.sev_pool is not None:
        st.values["organ_im_reprogrammed_fraction"] = 0.0
    st.values[ANTIBODY_THETA] = 0.0
    st.values[EV_BETA2] = 0.0 if (cfg.macrophages is not None and cfg.macrophages.itgb2_knockout) else 1.0


def operations(sim) -> list[Operation]:
    """Tumour secretion (tissue clock) and the systemic pools (both clocks)."""
    cfg = sim.config
    for name in (PLASMA_SEV_B2, ANTIBODY_THETA, EV_BETA2):
        sim.channels.publish(name, __name__)
    if cfg.primary_tumour is not None or cfg.antibody is not None:
        sim.channels.optional(PLASMA, __name__)  # absent: refused in attach, naming the missing 'plasma:' section
    ops: list[Operation] = []
    if cfg.primary_tumour is not None:
        ops.append(PrimaryTumourSecretion(cfg.primary_tumour))
    if cfg.sev_pool is not None or cfg.antibody is not None:
        pool = cfg.sev_pool
        kin = kinetics(cfg) if pool is not None else None
        ops.append(SystemicPools(kin, pool.assay_cv if pool is not None else 0.0, cfg.antibody, patient_key(cfg)))
    return ops
