"""Systemic pools: the plasma sEV-β2 ODE (exact steps, steady state, organ
scaling), the anti-β2 blocking fraction θ, primary-tumour secretion growth
and the placement of static metastatic foci."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from alveosim.biology_config import PrimaryTumour, SevPool
from alveosim.state import State
from alveosim.systemic import (
    SystemicPools,
    TumourSecretion,
    blocking_fraction,
    organ_sev_source,
    sev_pool_step,
)


def test_sev_pool_step_is_the_exact_solution_whatever_the_step():
    source, k, t = 3.0e-9, math.log(2) / 600.0, 1800.0
    exact = source / k * (1 - math.exp(-k * t))
    for n_steps in (1, 7, 360):
        p = 0.0
        for _ in range(n_steps):
            p = sev_pool_step(p, source, k, t / n_steps)
        assert p == pytest.approx(exact, rel=1e-12)
    # decay alone halves the pool each half-life
    assert sev_pool_step(8.0, 0.0, k, 600.0) == pytest.approx(4.0, rel=1e-12)
    # the steady state source / k is a fixed point
    assert sev_pool_step(source / k, source, k, 1e5) == pytest.approx(source / k, rel=1e-12)


def test_organ_source_scales_the_domain_fraction_to_the_organ():
    v = {"im_count": 40.0, "im_reprogrammed": 10.0}
    s = organ_sev_source(v, shedding_rate=2.0, organ_im_count=1e6, plasma_volume_um3=1e12)
    assert s == pytest.approx(2.0 * 0.25 * 1e6 / 1e12)
    assert organ_sev_source({"im_count": 0.0, "im_reprogrammed": 0.0}, 2.0, 1e6, 1e12) == 0.0
    assert organ_sev_source({}, 2.0, 1e6, 1e12) == 0.0


def test_blocking_fraction_limits():
    assert blocking_fraction(0.0, 2.0) == 0.0
    assert blocking_fraction(2.0, 2.0) == pytest.approx(0.5)
    assert blocking_fraction(1e6, 2.0) > 0.999
    assert blocking_fraction(-1.0, 2.0) == 0.0
    thetas = [blocking_fraction(a, 2.0) for a in (0.1, 1, 10, 100)]
    assert thetas == sorted(thetas)


def test_systemic_pool_operation_rises_with_reprogramming_and_clears_after(cpu):
    pool_cfg = SevPool(organ_im_count=1e6, plasma_volume="1 mL", clearance_half_life="10 min")
    op = SystemicPools(pool_cfg, None, shedding_rate=1.0)
    op.attach(SimpleNamespace())
    st = State(cpu, seed=0)
    st.values.update(plasma_sev_b2_per_um3=0.0, im_count=100.0, im_reprogrammed=50.0)
    k = math.log(2) / 600.0
    source = 1.0 * 0.5 * 1e6 / 1e12
    for _ in range(60):
        op.act(st, 60.0)
    assert st.values["plasma_sev_b2_per_um3"] == pytest.approx(source / k * (1 - math.exp(-k * 3600)), rel=1e-12)
    assert st.values["antibody_theta"] == 0.0
    peak = st.values["plasma_sev_b2_per_um3"]
    st.values["im_reprogrammed"] = 0.0
    for _ in range(10):
        op.act(st, 60.0)
    assert st.values["plasma_sev_b2_per_um3"] == pytest.approx(peak / 2, rel=1e-12)
    assert op.observe(st)["plasma_sev_b2_per_mL"] == pytest.approx(peak / 2 * 1e12, rel=1e-12)


class _RecordingPlasma:
    """Records add_rate calls (the plasma API of the fields feature)."""

    def __init__(self):
        self.calls = []

    def add_rate(self, name, amount_per_s):
        self.calls.append((name, amount_per_s))


def test_primary_tumour_secretion_doubles_with_the_tumour(cpu):
    cfg = PrimaryTumour(type="pancreatic", cxcl13_secretion="0.02 pM/s", doubling_time="5 d")
    op = TumourSecretion(cfg)
    plasma = _RecordingPlasma()
    op.attach(SimpleNamespace(plasma=plasma))
    st = State(cpu, seed=0)
    for t in (0.0, 5 * 86400.0, 10 * 86400.0):
        st.time = t
        op.act(st, 60.0)
    assert [c[0] for c in plasma.calls] == ["cxcl13"] * 3
    np.testing.assert_allclose([c[1] for c in plasma.calls], [0.02, 0.04, 0.08], rtol=1e-12)
    constant = TumourSecretion(PrimaryTumour(type="breast", cxcl13_secretion="100 pg/mL/h"))
    assert constant.secretion(1e7) == pytest.approx(100 / 10460.0 * 1e3 / 3600, rel=1e-9)




def test_vesicle_plasma_concentration_reaches_the_blood_without_a_pool(cpu):
    """Without ``sev_pool:``, ``blood.vesicles.plasma_concentration`` is the
    plasma sEV-β2 of the run: 2e11 /mL = 0.2 /µm³ seeds 0.2 sEVs per µm³ of
    open blood and is what the time series reports."""
    from blood_channel import H, blood_config, channel_sim

    from alveosim import systemic

    blood = blood_config(vesicles={"plasma_concentration": "2e11 /mL"})
    probe = channel_sim(cpu, blood=blood)
    values: dict = {}
    systemic.initialize(SimpleNamespace(config=probe.config, state=SimpleNamespace(values=values)))
    assert values["plasma_sev_b2_per_um3"] == pytest.approx(0.2)
    sim = channel_sim(cpu, blood=blood, values=values)
    blood_voxels = 12 * 3 * 3  # channel lumen incl. inlet and outlet rows
    assert sim.state.pools["ev"].n == round(values["plasma_sev_b2_per_um3"] * blood_voxels * H**3) > 300
