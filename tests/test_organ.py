"""The organ-level IM compartment that feeds plasma sEV-β2: exact steps and
the analytic steady state of its Hill kinetics at plasma CXCL13, independence
from the box's agent IMs, and an assay error that leaves the true value alone
and has the configured coefficient of variation."""

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from alveosim.config import load_config
from alveosim.systemic.organ import OrganKinetics, assay_factor, kinetics, organ_step, patient_key
from alveosim.simulation import Simulation
from alveosim.backend import select_backend
from alveosim.systemic.feature import SystemicPools

ROOT = Path(__file__).resolve().parents[1]
DAY = 86400.0


def _kin(**kw):
    base = dict(reprogramming_rate=0.5 / DAY, half_saturation=40.0, hill=3.0, reversion_rate=0.25 / DAY,
                shedding_rate=2.0, im_count=2e6, plasma_volume=1e12, clearance=math.log(2) / 600.0)
    base.update(kw)
    return OrganKinetics(**base)


def test_steady_state_is_the_analytic_one_and_a_fixed_point():
    kin = _kin()
    c = 100.0
    h = 0.5 / DAY * c**3 / (c**3 + 40.0**3)
    f_star = h / (h + 0.25 / DAY)
    p_star = 2.0 * 2e6 * f_star / (math.log(2) / 600.0 * 1e12)
    assert kin.steady_state(c) == pytest.approx((f_star, p_star), rel=1e-12)
    # 30 days of hourly steps from nothing converge to it; it is a fixed point of any step
    f, p = 0.0, 0.0
    for _ in range(30 * 24):
        f, p = organ_step(f, p, c, kin, 3600.0)
    assert (f, p) == pytest.approx((f_star, p_star), rel=1e-9)
    assert organ_step(f_star, p_star, c, kin, 1e6) == pytest.approx((f_star, p_star), rel=1e-12)


@pytest.mark.parametrize("clearance", [math.log(2) / 600.0, 0.75 / DAY + 1e-15])
def test_step_is_exact_whatever_the_step(clearance):
    """One step of a day equals 86 400 steps of a second; also when the
    clearance equals the relaxation rate of f (the resonant limit)."""
    kin = _kin(clearance=clearance, reprogramming_rate=0.5 / DAY, half_saturation=1e-9)  # h = k_rep
    one = organ_step(0.1, 0.0, 50.0, kin, DAY)
    f, p = 0.1, 0.0
    for _ in range(864):
        f, p = organ_step(f, p, 50.0, kin, 100.0)
    assert (f, p) == pytest.approx(one, rel=1e-9)
    # f has the closed form of the linear ODE
    s = 0.75 / DAY
    f_eq = 0.5 / 0.75
    assert one[0] == pytest.approx(f_eq + (0.1 - f_eq) * math.exp(-s * DAY), rel=1e-12)


def test_no_cxcl13_no_reprogramming_and_the_pool_clears():
    kin = _kin()
    f, p = organ_step(0.0, 8.0, 0.0, kin, 600.0)
    assert f == 0.0 and p == pytest.approx(4.0, rel=1e-12)


def _tissue_run(density: str) -> list[dict]:
    cfg = load_config(ROOT / "configs" / "quickstart.yaml", [
        "domain.size=[30 um, 30 um, 20 um]", f"macrophages.density={density}", "phases.0.duration=1 d",
        "output.timeseries_every=3", "output.checkpoint_every=null", "output.snapshot_every=null",
    ])
    sim = Simulation(cfg, backend=select_backend("cpu"))
    sim.run(until=DAY, progress=False)
    return sim.timeseries.rows


def test_box_im_density_does_not_change_plasma_sev():
    sparse, dense = _tissue_run("2e-4 /um^3"), _tissue_run("3e-3 /um^3")
    assert [r["im_count"] for r in sparse] != [r["im_count"] for r in dense]
    assert sparse[-1]["im_reprogrammed"] != dense[-1]["im_reprogrammed"]
    true_sparse = [r["plasma_sev_b2_per_mL"] for r in sparse]
    assert true_sparse == [r["plasma_sev_b2_per_mL"] for r in dense]
    assert true_sparse[-1] > 1e8  # the pool did fill from the organ compartment


def test_assay_noise_leaves_the_truth_and_has_the_configured_cv():
    cfg = load_config(ROOT / "configs" / "quickstart.yaml", ["sev_pool.assay_cv=0.3"])
    op = SystemicPools(kinetics(cfg), cfg.sev_pool.assay_cv, None)
    st = SimpleNamespace(seed=7, step=0, values={"plasma_sev_b2_per_um3": 2e-3, "organ_im_reprogrammed_fraction": 0.5})
    measured = []
    for step in range(20000):
        st.step = step
        row = op.observe(st)
        assert row["plasma_sev_b2_per_mL"] == 2e9
        measured.append(row["measured_plasma_sev_b2_per_mL"])
    assert st.values["plasma_sev_b2_per_um3"] == 2e-3
    m = np.array(measured) / 2e9
    # SE of the mean ~0.3/sqrt(2e4) = 0.002; of the SD ~0.3*sqrt((kurtosis-1)/4n) ~ 0.004
    assert m.mean() == pytest.approx(1.0, abs=0.01)
    assert m.std() == pytest.approx(0.3, abs=0.02)
    assert np.log(m).std() == pytest.approx(math.sqrt(math.log1p(0.09)), rel=0.03)
    # deterministic per (seed, step); no noise without a CV
    assert assay_factor(0.3, 7, 5) == assay_factor(0.3, 7, 5) != assay_factor(0.3, 8, 5)
    assert assay_factor(0.0, 7, 5) == 1.0


def test_patients_sharing_a_seed_get_independent_assay_errors():
    """A cohort's members share seeds; the patient key (systemic sections)
    separates their assay draws, while box size or output leave it alone."""
    base = load_config(ROOT / "configs" / "quickstart.yaml")
    other = load_config(ROOT / "configs" / "quickstart.yaml", ["sev_pool.organ_im_count=2500000"])
    box = load_config(ROOT / "configs" / "quickstart.yaml", ["domain.size=[30 um, 30 um, 20 um]", "output.timeseries_every=3"])
    assert patient_key(base) != patient_key(other)
    assert patient_key(base) == patient_key(box)
    assert assay_factor(0.2, 1, 10, patient_key(base)) != assay_factor(0.2, 1, 10, patient_key(other))


def test_hazard_is_the_hill_function_at_every_scale():
    kin = _kin()
    k = 0.5 / DAY
    assert kin.hazard(40.0) == pytest.approx(k / 2, rel=1e-12)
    assert kin.hazard(20.0) == pytest.approx(k * 8 / (8 + 64), rel=1e-12)
    assert kin.hazard(80.0) == pytest.approx(k * 512 / (512 + 64), rel=1e-12)
    assert kin.hazard(1e-300) == 0.0 and kin.hazard(1e300) == pytest.approx(k, rel=1e-12) and kin.hazard(-1.0) == 0.0
