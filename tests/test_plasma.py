"""Plasma compartments: exact production/clearance ODE, bolus doses at the
half-life, one-step agent rates, config links, and the Dirichlet value the
fields take from the plasma."""

import math

import numpy as np
import pytest

from alveosim.config import ConfigError, load_config
from alveosim.simulation import Simulation

from builders import tissue_data


def _config(plasma, fields=None, dt="1 h", duration="10 h"):
    data = tissue_data(["10 um", "5 um", "5 um"], "2.5 um", duration, dt, {"progress": False, "timeseries_every": 1}, plasma=plasma,
                       fields={"named": fields} if fields else None)
    return load_config(data=data)


def test_production_and_clearance_are_exact(cpu):
    """dP/dt = R − kP from P0: P(t) = R/k + (P0 − R/k)·e^(−kt) at every step."""
    cfg = _config({"cxcl13": {"unit": "pM", "initial": "2 pM", "production": "0.01 pM/min", "half_life": "30 min"}})
    sim = Simulation(cfg, backend=cpu)
    sim.run(progress=False)
    k, rate = math.log(2) / 1800.0, 0.01 / 60.0
    for row in sim.timeseries.rows:
        t = row["time_s"]
        assert row["plasma_cxcl13_pM"] == pytest.approx(rate / k + (2.0 - rate / k) * math.exp(-k * t), rel=1e-12)


def test_bolus_doses_decay_at_the_half_life(cpu):
    """Doses of 100 and 50 nM at 1 h and 4.5 h, half-life 2 h: P(t) is the sum
    of each dose × 2^(−(t − t_dose)/T½) for doses given before t."""
    doses = [{"time": "1 h", "amount": "100 nM"}, {"time": "4.5 h", "amount": "50000 pM"}]
    cfg = _config({"antibody": {"unit": "nM", "half_life": "2 h", "doses": doses}}, dt="30 min")
    sim = Simulation(cfg, backend=cpu)
    sim.run(progress=False)
    for row in sim.timeseries.rows:
        t = row["time_s"]
        expected = sum(a * 2.0 ** (-(t - td) / 7200.0) for td, a in ((3600.0, 100.0), (16200.0, 50.0)) if td < t)
        assert row["plasma_antibody_nM"] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_added_rate_acts_for_one_step(cpu):
    """sim.plasma.add_rate adds production for the coming step only."""
    cfg = _config({"sev": {"unit": "a.u.", "initial": 0.0}}, duration="3 h")
    sim = Simulation(cfg, backend=cpu)
    sim.plasma.add_rate("sev", 2.0)
    sim.run(progress=False, until=3600.0)
    assert sim.plasma.value(sim.state, "sev") == pytest.approx(7200.0)
    sim.run(progress=False)
    assert sim.plasma.value(sim.state, "sev") == pytest.approx(7200.0)


def test_fields_take_the_plasma_value_at_blood_voxels(backend):
    """Blood voxels of a field linked to a compartment hold its current value."""
    from alveosim.labels import CAPILLARY, SEPTUM

    plasma = {"cxcl13": {"unit": "pM", "initial": "4 pM", "half_life": "1 h"}}
    fields = {"cxcl13": {"unit": "pM", "diffusivity": "20 um^2/s", "plasma": "cxcl13"}}
    cfg = _config(plasma, fields, dt="10 min", duration="1 h")
    sim = Simulation(cfg, backend=backend)
    labels = np.full((4, 2, 2), SEPTUM, np.uint8)
    labels[0] = CAPILLARY
    sim.state.arrays["labels"] = backend.asarray(labels)
    sim.run(progress=False)
    c = backend.to_host(sim.state.arrays["fields"][0])
    assert np.allclose(c[0], 2.0, rtol=1e-6)  # 4 pM after one half-life
    assert sim.timeseries.rows[-1]["cxcl13_max_capillary_pM"] == pytest.approx(2.0, rel=1e-6)
    assert 1.9 < c[3].min() and c[3].max() < 2.1  # the septum follows the decaying plasma


def test_config_errors_name_the_problem():
    with pytest.raises(ValueError, match="no plasma compartment 'missing'"):
        cfg = _config({}, {"x": {"unit": "pM", "diffusivity": "1 um^2/s", "plasma": "missing"}})
        Simulation(cfg, backend="cpu")
    with pytest.raises(ConfigError, match="expected units of nM"):
        _config({"antibody": {"unit": "nM", "initial": "3 um"}})
