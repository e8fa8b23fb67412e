"""sEV–platelet binding: only within contact distance, to the nearest
platelet, counted exactly; blocked by antibody saturation and β2 knockout."""

import numpy as np
import pytest

from blood_channel import blood_config, channel_sim, put_agents, set_uniform_velocity, step
from alveosim.blood import ledger
from alveosim.blood.species import RESTING

STILL = {"diffusivity": "0 um^2/s"}


def still_sim(backend, binding_rate="1e9 /s", values=None, platelets=None, vesicles=None):
    blood = blood_config(
        platelets={**STILL, "spontaneous_activation_rate": "0 /s", "bonds_to_prime": 1, "activation_delay": "1 s", **(platelets or {})},
        vesicles={**STILL, "half_life": "1e6 s", "binding_rate": binding_rate, **(vesicles or {})},
    )
    sim = channel_sim(backend, blood=blood, values=values)
    set_uniform_velocity(sim, 0.0)
    return sim


def test_binding_only_within_contact_distance_to_the_nearest(backend):
    sim = still_sim(backend)
    put_agents(sim, "platelet", [[10.0, 5.0, 5.0], [20.0, 5.0, 5.0]], aggregate=[-1, -1])
    # contact distance 1.2 um: EVs at 0.5 and 1.0 um of platelet 0 bind it, 1.5 um never;
    # the EV at 14.5 is 4.5 um from platelet 0 and 5.5 um from platelet 1: free;
    # the EV at 19.5 binds platelet 1.
    evs = [[10.5, 5.0, 5.0], [10.0, 6.0, 5.0], [10.0, 5.0, 6.5], [14.5, 5.0, 5.0], [19.5, 5.0, 5.0]]
    put_agents(sim, "ev", evs, beta2=np.ones(5, np.float32))
    step(sim, 3)
    pl = sim.state.pool("platelet").to_host()
    np.testing.assert_array_equal(pl["n_bound"], [2, 1])
    left = sim.backend.to_host(sim.state.pool("ev").live("pos"))
    np.testing.assert_allclose(left, np.array([[10.0, 5.0, 6.5], [14.5, 5.0, 5.0]], np.float32))
    assert ledger.values(sim.state)["ev_bound"] == 3
    ev, platelets = ledger.expected_counts(sim.state)
    assert (sim.state.pool("ev").n, sim.state.pool("platelet").n) == (ev, platelets)


@pytest.mark.parametrize("case", ["antibody_saturated", "beta2_knockout"])
def test_blocked_beta2_gives_no_ev_driven_activation(backend, case):
    values = {"antibody_theta": 1.0} if case == "antibody_saturated" else {"ev_beta2": 0.0}
    sim = still_sim(backend, values=values, platelets={"density": "3e7 /uL", "activation_delay": "0 s"}, vesicles={"plasma_concentration": "5e11 /mL"})
    assert sim.state.pool("ev").n > 50 and sim.state.pool("platelet").n > 5
    step(sim, 5)
    pl = sim.state.pool("platelet").to_host()
    assert ledger.values(sim.state)["ev_bound"] == 0
    assert (pl["n_bound"] == 0).all() and (pl["state"] == RESTING).all()


def test_bound_ev_count_equals_platelet_tally(backend):
    sim = still_sim(backend, binding_rate="200 /s", platelets={"density": "3e7 /uL"}, vesicles={"plasma_concentration": "5e11 /mL"})
    step(sim, 4)
    n_bound = sim.backend.to_host(sim.state.pool("platelet").live("n_bound"))
    assert ledger.values(sim.state)["ev_bound"] > 0
    assert n_bound.sum() == ledger.values(sim.state)["ev_bound"]


def contact_sim(backend, n, theta, binding_rate):
    """n EVs (distinct uids) 0.3 µm from one still platelet, antibody fraction theta."""
    sim = still_sim(backend, binding_rate=binding_rate, values={"antibody_theta": theta})
    put_agents(sim, "platelet", [[10.0, 5.0, 5.0]], aggregate=[-1])
    put_agents(sim, "ev", np.tile([[10.3, 5.0, 5.0]], (n, 1)), beta2=np.ones(n, np.float32))
    return sim


def test_per_step_binding_probability_of_an_unblocked_ev(cpu):
    # k dt = ln 2 -> 1 - exp(-k dt) = 0.5 per step for an EV in contact, theta = 0
    n = 8000
    sim = contact_sim(cpu, n, 0.0, f"{np.log(2) * 1e3} /s")
    step(sim, 1)
    frac = ledger.values(sim.state)["ev_bound"] / n
    assert frac == pytest.approx(0.5, abs=5 * np.sqrt(0.25 / n))


@pytest.mark.parametrize("theta", [0.3, 0.8])
def test_fraction_of_evs_that_ever_bind_is_the_unblocked_fraction(cpu, theta):
    # a blocked EV never binds however long it stays in contact: after many steps
    # at p = 0.5 per step, the bound fraction saturates at 1 - theta
    n = 8000
    sim = contact_sim(cpu, n, theta, f"{np.log(2) * 1e3} /s")
    step(sim, 30)
    bound = ledger.values(sim.state)["ev_bound"]
    assert bound / n == pytest.approx(1.0 - theta, abs=5 * np.sqrt(theta * (1 - theta) / n))
    step(sim, 20)
    assert ledger.values(sim.state)["ev_bound"] == bound  # the remaining EVs are all blocked
    assert sim.state.pool("ev").n == n - bound


def test_blocked_evs_are_the_same_on_cpu_and_cuda_simulator(cpu, cuda):
    survivors = []
    for be in (cpu, cuda):
        sim = contact_sim(be, 120, 0.5, "1e9 /s")
        step(sim, 3)
        survivors.append(np.sort(be.to_host(sim.state.pool("ev").live("uid"))))
    np.testing.assert_array_equal(survivors[0], survivors[1])
    assert 30 < survivors[0].size < 90  # about half of the 120 EVs are blocked
