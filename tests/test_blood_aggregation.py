"""Aggregation: aggregate ids are the minimum uid of each connected set,
joins merge aggregates, aggregated platelets are immobile."""

import numpy as np

from blood_channel import blood_config, channel_sim, put_agents, set_uniform_velocity, step
from alveosim.blood.aggregation import relabel
from alveosim.blood.species import ACTIVATED, AGGREGATED, RESTING


def test_joins_merge_aggregates_under_the_least_uid(backend):
    blood = blood_config(platelets={"density": "1 /uL", "diffusivity": "0 um^2/s", "spontaneous_activation_rate": "0 /s", "aggregation_rate": "1e9 /s"})
    sim = channel_sim(backend, shape=(14, 5, 5), blood=blood)
    set_uniform_velocity(sim, 300.0)
    # two aggregated chains 2 um apart inside each, a bridging activated platelet
    # between them, a resting one and a distant activated one with no partner
    x = [4.0, 6.0, 8.0, 12.0, 14.0, 10.0, 16.5, 30.0]
    state = [AGGREGATED, AGGREGATED, AGGREGATED, AGGREGATED, AGGREGATED, ACTIVATED, RESTING, ACTIVATED]
    put_agents(sim, "platelet", [[xi, 5.0, 5.0] for xi in x], state=np.array(state, np.uint8), aggregate=np.array([0, 1, 2, 3, 4, -1, -1, -1]), activated_by=np.array([1] * 6 + [0, 1], np.uint8))
    uid = sim.backend.to_host(sim.state.pool("platelet").uid)
    step(sim, 1)
    pl = sim.state.pool("platelet").to_host()
    order = np.argsort(pl["uid"])
    st, agg, pos = pl["state"][order], pl["aggregate"][order], pl["pos"][order]
    np.testing.assert_array_equal(st[:6], AGGREGATED)
    np.testing.assert_array_equal(agg[:6], 0)  # the bridge merged both chains under the least label
    assert st[7] == ACTIVATED and agg[7] == -1  # no neighbour: no join
    np.testing.assert_array_equal(pos[:5, 0], np.array(x[:5], np.float32))  # aggregated: immobile in flow
    assert pos[5, 0] == np.float32(10.3)  # the bridge moved 0.3 um with the flow, then joined
    assert pos[7, 0] > 30.0 and uid.min() == 0


def test_labels_converge_to_the_component_minimum(cpu):
    """A long chain labelled in decreasing uid order needs many sweeps; the
    fixed point is the minimum uid whatever the update order."""
    blood = blood_config(platelets={"density": "1 /uL", "diffusivity": "0 um^2/s"})
    sim = channel_sim(cpu, shape=(40, 5, 5), blood=blood)
    n = 40
    put_agents(sim, "platelet", [[3.0 + 2.0 * i, 5.0, 5.0] for i in range(n)], state=np.full(n, AGGREGATED, np.uint8), aggregate=np.arange(n)[::-1].copy())
    sim._attach_all()
    relabel(sim.state.pool("platelet"), 2.5, np.array(sim.config.domain.size))
    np.testing.assert_array_equal(sim.state.pool("platelet").to_host()["aggregate"], 0)
