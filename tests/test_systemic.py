"""Systemic pools: the anti-β2 blocking fraction θ, primary-tumour secretion
growth and the plasma sEV-β2 the blood sees without a pool (the organ IM
compartment that feeds the pool is tested in test_organ.py)."""

from types import SimpleNamespace

import numpy as np
import pytest

from alveosim.systemic.config import PrimaryTumour
from alveosim.state import State
from alveosim.systemic.feature import PrimaryTumourSecretion, blocking_fraction


def test_blocking_fraction_limits():
    assert blocking_fraction(0.0, 2.0) == 0.0
    assert blocking_fraction(2.0, 2.0) == pytest.approx(0.5)
    assert blocking_fraction(1e6, 2.0) > 0.999
    assert blocking_fraction(-1.0, 2.0) == 0.0
    thetas = [blocking_fraction(a, 2.0) for a in (0.1, 1, 10, 100)]
    assert thetas == sorted(thetas)


class _RecordingPlasma:
    """Records add_rate calls (the plasma API of the fields feature)."""

    def __init__(self):
        self.calls = []

    def add_rate(self, name, amount_per_s):
        self.calls.append((name, amount_per_s))


def test_primary_tumour_secretion_doubles_with_the_tumour(cpu):
    cfg = PrimaryTumour(type="pancreatic", cxcl13_secretion="0.02 pM/s", doubling_time="5 d")
    op = PrimaryTumourSecretion(cfg)
    plasma = _RecordingPlasma()
    op.attach(SimpleNamespace(plasma=plasma))
    st = State(cpu, seed=0)
    for t in (0.0, 5 * 86400.0, 10 * 86400.0):
        st.time = t
        op.act(st, 60.0)
    assert [c[0] for c in plasma.calls] == ["cxcl13"] * 3
    np.testing.assert_allclose([c[1] for c in plasma.calls], [0.02, 0.04, 0.08], rtol=1e-12)
    constant = PrimaryTumourSecretion(PrimaryTumour(type="breast", cxcl13_secretion="100 pg/mL/h"))
    assert constant.secretion(1e7) == pytest.approx(100 / 10460.0 * 1e3 / 3600, rel=1e-9)




def test_vesicle_plasma_concentration_reaches_the_blood_without_a_pool(cpu):
    """Without ``sev_pool:``, ``blood.vesicles.plasma_concentration`` is the
    plasma sEV-β2 of the run: 2e11 /mL = 0.2 /µm³ seeds 0.2 sEVs per µm³ of
    open blood and is what the time series reports."""
    from blood_channel import H, blood_config, channel_sim

    from alveosim.systemic import feature as systemic

    blood = blood_config(vesicles={"plasma_concentration": "2e11 /mL"})
    probe = channel_sim(cpu, blood=blood)
    values: dict = {}
    systemic.initialize(SimpleNamespace(config=probe.config, state=SimpleNamespace(values=values)))
    assert values["plasma_sev_b2_per_um3"] == pytest.approx(0.2)
    sim = channel_sim(cpu, blood=blood, values=values)
    blood_voxels = 12 * 3 * 3  # channel lumen incl. inlet and outlet rows
    assert sim.state.pools["ev"].n == round(values["plasma_sev_b2_per_um3"] * blood_voxels * H**3) > 300
