"""Organ-level interstitial macrophages: the whole lung's IMs as a mean-field
population that feeds the plasma sEV-β2 pool, independent of the simulated
box's agent IMs.

N IMs (``sev_pool.organ_im_count``), a reprogrammed fraction f (1) driven by
PLASMA CXCL13 C (pM) with the agent IMs' Hill kinetics (``macrophages:``):

    df/dt = h(C) · (1 − f) − r · f,      h(C) = k_rep · C^n / (C^n + K^n)
    dP/dt = λ_ev · N · f / V − k_clear · P

with k_rep, r, k_clear = ln2 / t½ in 1/s, K in pM, λ_ev in sEVs/s per
reprogrammed IM, V the plasma volume (µm³) and P the plasma sEV-β2
concentration (EVs/µm³). With C held over a step both equations have a closed
form, so :func:`organ_step` is exact for any dt.

The measured plasma sEV-β2 is the true value times a mean-one lognormal assay
error with coefficient of variation ``sev_pool.assay_cv``, drawn per output
row from (seed, stream, step, patient) and never fed back into the model; the
patient key hashes the systemic sections of the config, so the virtual
patients of a cohort that share a seed still get independent assay errors.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np

from alveosim.streams import Stream

PM_PER_UNIT = {"pM": 1.0, "nM": 1e3, "uM": 1e6}


@dataclass(frozen=True)
class OrganKinetics:
    """Rates of the organ IM compartment, all in SI-like model units.

    reprogramming_rate: k_rep (1/s); half_saturation: K (pM); hill: n;
    reversion_rate: r (1/s); shedding_rate: λ_ev (sEVs/s per reprogrammed IM);
    im_count: N; plasma_volume: V (µm³); clearance: k_clear (1/s)."""

    reprogramming_rate: float
    half_saturation: float
    hill: float
    reversion_rate: float
    shedding_rate: float
    im_count: float
    plasma_volume: float
    clearance: float

    def hazard(self, cxcl13_pM: float) -> float:
        """h(C) = k_rep · C^n / (C^n + K^n) in 1/s at plasma CXCL13 C (pM)."""
        c = max(cxcl13_pM, 0.0)
        if c == 0.0 or self.reprogramming_rate == 0.0:
            return 0.0
        if c < self.half_saturation:  # ratios <= 1: no overflow at either extreme
            x = (c / self.half_saturation) ** self.hill
            return self.reprogramming_rate * x / (1.0 + x)
        return self.reprogramming_rate / (1.0 + (self.half_saturation / c) ** self.hill)

    def source_per_fraction(self) -> float:
        """a = λ_ev · N / V: plasma sEV-β2 production per unit of f (EVs/µm³/s)."""
        return self.shedding_rate * self.im_count / self.plasma_volume

    def steady_state(self, cxcl13_pM: float) -> tuple[float, float]:
        """(f*, P*) at constant plasma CXCL13: f* = h / (h + r),
        P* = λ_ev · N · f* / (k_clear · V) (EVs/µm³)."""
        h = self.hazard(cxcl13_pM)
        s = h + self.reversion_rate
        f = h / s if s > 0 else 0.0
        return f, self.source_per_fraction() * f / self.clearance


def _decay_difference(s: float, k: float, dt: float) -> float:
    """(e^{−s·dt} − e^{−k·dt}) / (k − s) = e^{−lo·dt} (1 − e^{−d·dt}) / d with
    lo = min(s, k), d = |s − k|; no overflow, stable as d → 0 (limit dt·e^{−lo·dt})."""
    lo, d = min(s, k), abs(s - k)
    if d * dt < 1e-9:
        return dt * math.exp(-lo * dt) * (1.0 - 0.5 * d * dt)
    return math.exp(-lo * dt) * -math.expm1(-d * dt) / d


def organ_step(f: float, p: float, cxcl13_pM: float, kin: OrganKinetics, dt: float) -> tuple[float, float]:
    """Exact (f, P) after dt s with plasma CXCL13 held at ``cxcl13_pM``.

    f relaxes to f* at rate s = h + r: f(t) = f* + (f0 − f*) e^{−s t};
    integrating dP/dt = a f(t) − k P exactly gives
    P = P0 e^{−k dt} + a f* (1 − e^{−k dt}) / k + a (f0 − f*) (e^{−s dt} − e^{−k dt}) / (k − s)."""
    h = kin.hazard(cxcl13_pM)
    s = h + kin.reversion_rate
    f_eq = h / s if s > 0 else f
    k = kin.clearance
    a = kin.source_per_fraction()
    f1 = f_eq + (f - f_eq) * math.exp(-s * dt)
    p1 = p * math.exp(-k * dt) - a * f_eq * math.expm1(-k * dt) / k + a * (f - f_eq) * _decay_difference(s, k, dt)
    return f1, p1


PATIENT_SECTIONS = ("plasma", "primary_tumour", "macrophages", "sev_pool")


def patient_key(cfg) -> int:
    """A 32-bit key of the virtual patient: a hash of the config's systemic
    sections (PATIENT_SECTIONS), independent of backend, output and box size."""
    parts = {name: getattr(cfg, name) for name in PATIENT_SECTIONS}
    blob = json.dumps({k: None if v is None else _plain(v) for k, v in parts.items()}, sort_keys=True, default=str)
    return int(hashlib.sha256(blob.encode()).hexdigest()[:8], 16)


def _plain(section):
    if isinstance(section, dict):
        return {k: _plain(v) for k, v in section.items()}
    return section.model_dump(mode="json")


def assay_factor(cv: float, seed: int, step: int, patient: int = 0) -> float:
    """Multiplicative assay error exp(σZ − σ²/2), σ² = ln(1 + cv²): mean 1,
    coefficient of variation ``cv``; one draw per (seed, step, patient)."""
    if cv <= 0.0:
        return 1.0
    sigma2 = math.log1p(cv * cv)
    z = np.random.default_rng([int(seed), int(Stream.SEV_ASSAY), int(step), int(patient)]).standard_normal()
    return math.exp(math.sqrt(sigma2) * z - 0.5 * sigma2)


def kinetics(cfg) -> OrganKinetics:
    """The organ compartment of config ``cfg`` (``sev_pool:`` with the
    ``macrophages:`` Hill kinetics; CXCR5 loss or IM depletion reprogram none)."""
    pool, m = cfg.sev_pool, cfg.macrophages
    if m is None:
        raise ValueError("sev_pool: needs the 'macrophages:' section (the organ IMs use its reprogramming kinetics)")
    inert = m.cxcr5_knockout or m.depleted
    return OrganKinetics(
        reprogramming_rate=0.0 if inert else m.reprogramming_rate,
        half_saturation=m.half_saturation,
        hill=m.hill_coefficient,
        reversion_rate=m.reversion_rate,
        shedding_rate=m.shedding_rate if pool.shedding_rate is None else pool.shedding_rate,
        im_count=0.0 if m.depleted else pool.organ_im_count,
        plasma_volume=pool.plasma_volume,
        clearance=math.log(2.0) / pool.clearance_half_life,
    )
