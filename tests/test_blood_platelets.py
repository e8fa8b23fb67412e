"""Platelet activation: priming by bound sEVs, activation after the delay,
spontaneous baseline; no aggregation without a bound sEV or spontaneous
activation."""

import numpy as np
import pytest

from blood_channel import blood_config, channel_sim, put_agents, set_uniform_velocity, step
from alveosim.blood import ledger
from alveosim.blood.species import ACTIVATED, AGGREGATED, BY_SEV, BY_SPONTANEOUS, PRIMED, RESTING

STILL = {"diffusivity": "0 um^2/s"}


def test_priming_then_activation_after_the_delay(backend):
    blood = blood_config(platelets={**STILL, "bonds_to_prime": 2, "activation_delay": "3 ms", "spontaneous_activation_rate": "0 /s", "aggregation_rate": "0 /s"})
    sim = channel_sim(backend, blood=blood)
    set_uniform_velocity(sim, 0.0)
    put_agents(sim, "platelet", [[5.0 + 3 * i, 5.0, 5.0] for i in range(4)], n_bound=np.array([0, 1, 2, 3], np.int32), aggregate=[-1] * 4)
    step(sim, 1)
    pl = sim.state.pool("platelet").to_host()
    np.testing.assert_array_equal(pl["state"], [RESTING, RESTING, PRIMED, PRIMED])
    step(sim, 2)
    assert (sim.state.pool("platelet").to_host()["state"][2:] == PRIMED).all()  # timer 2 ms < 3 ms
    step(sim, 1)
    pl = sim.state.pool("platelet").to_host()
    np.testing.assert_array_equal(pl["state"], [RESTING, RESTING, ACTIVATED, ACTIVATED])
    np.testing.assert_array_equal(pl["activated_by"], [0, 0, BY_SEV, BY_SEV])


def test_spontaneous_activation_rate(cpu):
    rate = -np.log(0.9) * 1e3  # p = 0.1 per 1 ms step
    blood = blood_config(platelets={**STILL, "spontaneous_activation_rate": f"{rate} /s", "aggregation_rate": "0 /s"})
    sim = channel_sim(cpu, blood=blood)
    set_uniform_velocity(sim, 0.0)
    n = 10000
    put_agents(sim, "platelet", np.tile([[10.0, 5.0, 5.0]], (n, 1)), aggregate=np.full(n, -1))
    step(sim, 1)
    pl = sim.state.pool("platelet").to_host()
    active = pl["state"] == ACTIVATED
    assert active.mean() == pytest.approx(0.1, abs=5 * np.sqrt(0.09 / n))
    assert (pl["activated_by"][active] == BY_SPONTANEOUS).all()


@pytest.mark.parametrize("spontaneous", ["0 /s", "300 /s"])
def test_no_aggregation_without_bound_sev_or_spontaneous_activation(backend, spontaneous):
    blood = blood_config(
        platelets={"density": "4e7 /uL", "bonds_to_prime": 1, "activation_delay": "1 ms", "spontaneous_activation_rate": spontaneous, "aggregation_rate": "1e4 /s", "diffusivity": "50 um^2/s"},
        vesicles={"plasma_concentration": "5e11 /mL", "binding_rate": "5e3 /s"},
    )
    sim = channel_sim(backend, shape=(8, 5, 5), blood=blood, mean_speed="0.2 mm/s", values={"antibody_theta": 1.0})
    step(sim, 4)
    pl = sim.state.pool("platelet").to_host()
    assert ledger.values(sim.state)["ev_bound"] == 0
    if spontaneous == "0 /s":
        assert (pl["state"] == RESTING).all()
    else:
        assert (pl["state"] == AGGREGATED).any()
    aggregated = pl["state"] == AGGREGATED
    assert (pl["activated_by"][aggregated] == BY_SPONTANEOUS).all()


def test_ev_driven_aggregation_needs_bound_sevs(backend):
    blood = blood_config(
        platelets={"density": "4e7 /uL", "bonds_to_prime": 1, "activation_delay": "1 ms", "spontaneous_activation_rate": "0 /s", "aggregation_rate": "1e4 /s", "diffusivity": "50 um^2/s"},
        vesicles={"plasma_concentration": "5e11 /mL", "binding_rate": "5e3 /s"},
    )
    sim = channel_sim(backend, shape=(8, 5, 5), blood=blood, mean_speed="0.2 mm/s")
    step(sim, 4)
    pl = sim.state.pool("platelet").to_host()
    active = pl["state"] >= ACTIVATED
    assert active.any()
    assert (pl["activated_by"][active] == BY_SEV).all()
    assert (pl["n_bound"][active] >= 1).all()
