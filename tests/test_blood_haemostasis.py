"""Haemostasis at an injury: GPIb–vWF tethering at the injured wall only,
capture into the plug, anti-GPIb scaling, the plug formation time; and the
assay's claim over seeds (anti-β2 spares the plug, anti-GPIb impairs it)."""

import numpy as np
import pytest

from blood_channel import blood_config, channel_sim, put_agents, set_uniform_velocity, step
from alveosim.blood import ledger
from alveosim.blood.haemostasis import FORMED, injured_walls
from alveosim.blood.species import ACTIVATED, AGGREGATED, BY_INJURY, BY_SEV, RESTING
from alveosim.labels import CAPILLARY, SEPTUM

STILL = {"diffusivity": "0 um^2/s", "spontaneous_activation_rate": "0 /s", "aggregation_rate": "0 /s"}


def injury(**over):
    """An injury on the channel's y = 0 wall (the face y = 2.5 um) around x = 10 um."""
    out = {"center": ["10 um", "2.5 um", "6.25 um"], "radius": "4 um", "contact_distance": "1.25 um", "adhesion_rate": "1e9 /s", "recruitment_rate": "0 /s", "plug_platelets": 2}
    out.update(over)
    return out


def test_injured_walls_flags_wall_faces_near_the_nearest_wall_face():
    labels = np.full((6, 4, 4), SEPTUM, np.uint8)
    labels[:, 1:3, 1:3] = CAPILLARY  # lumen y, z in [2, 6) um; open ends along x
    walls = injured_walls(labels, 2.0, [5.0, 2.4, 3.0], 2.1)  # nearest wall face: y = 2 of voxel (2, 1, 1), centre (5, 2, 3)
    lower_y, lower_z = 1 << 2, 1 << 4
    expected = np.zeros_like(walls)
    expected[2, 1, 1] = lower_y | lower_z  # its own face and its z = 2 face (centre (5, 3, 2), 1.4 um away)
    expected[1, 1, 1] = expected[3, 1, 1] = expected[2, 1, 2] = lower_y  # y = 2 faces 2 um away
    np.testing.assert_array_equal(walls, expected)
    assert not injured_walls(np.full((3, 3, 3), CAPILLARY, np.uint8), 2.0, [1.0, 1.0, 1.0], 5.0).any()  # the box's faces are no wall


def test_tethering_needs_contact_with_the_injured_wall(backend):
    blood = blood_config(platelets=STILL, injury=injury())
    sim = channel_sim(backend, blood=blood)
    set_uniform_velocity(sim, 0.0)
    # wall face at y = 2.5 um: in contact (y 3.0, 3.7), too far (y 4.0), far along x (x 25), an sEV-activated one in contact
    pos = [[10.0, 3.0, 6.25], [11.0, 3.7, 6.25], [10.0, 4.0, 6.25], [25.0, 3.0, 6.25], [9.0, 3.2, 5.5]]
    put_agents(sim, "platelet", pos, state=np.array([RESTING, RESTING, RESTING, RESTING, ACTIVATED], np.uint8), activated_by=np.array([0, 0, 0, 0, BY_SEV], np.uint8), aggregate=[-1] * 5)
    step(sim, 1)
    pl = sim.state.pool("platelet").to_host()
    np.testing.assert_array_equal(pl["state"], [AGGREGATED, AGGREGATED, RESTING, RESTING, AGGREGATED])
    np.testing.assert_array_equal(pl["activated_by"], [BY_INJURY, BY_INJURY, 0, 0, BY_INJURY])
    assert sim.backend.to_host(sim.state.arrays[FORMED])[0] == pytest.approx(1e-3)  # 3 >= 2 plug platelets after the first step


def test_capture_into_the_plug_and_full_gpib_block(backend):
    plug = [[10.0, 3.0, 6.25]]
    near = [[12.0, 4.0, 6.25]]  # 2.24 um from the plug platelet, 1.5 um from the wall (beyond contact)
    for antibody_nM, expect in ((0.0, AGGREGATED), (1e12, RESTING)):
        blood = blood_config(platelets=STILL, injury=injury(adhesion_rate="1 /s", recruitment_rate="1e9 /s", anti_gpib={"compartment": "anti_gpib", "kd": "1 nM"}))
        sim = channel_sim(backend, blood=blood, values={"plasma_anti_gpib": antibody_nM})
        sim.plasma = _Plasma()
        set_uniform_velocity(sim, 0.0)
        put_agents(sim, "platelet", plug + near, state=np.array([AGGREGATED, RESTING], np.uint8), activated_by=np.array([BY_INJURY, 0], np.uint8), aggregate=[1, -1])
        step(sim, 1)
        pl = sim.state.pool("platelet").to_host()
        assert pl["state"][1] == expect


class _Plasma:
    """The plasma compartments the haemostasis operation reads (anti-GPIb, nM)."""

    compartments = {"anti_gpib": None}

    def value(self, state, name):
        return state.values[f"plasma_{name}"]


def plug_formation(backend, seed: int, beta2_theta: float, anti_gpib_nM: float, steps: int = 50, dt: float = 2e-3) -> tuple[float, float]:
    """Plug formation time (s) in a flowing channel carrying sEV-β2 that bind
    and prime platelets (a plug not formed within the run counts as its
    length), and the sEVs bound to platelets."""
    blood = blood_config(
        platelets={"density": "1e7 /uL", "bonds_to_prime": 2, "activation_delay": "50 ms", "spontaneous_activation_rate": "0 /s", "aggregation_rate": "200 /s", "diffusivity": "2 um^2/s"},
        vesicles={"plasma_concentration": "5e10 /mL", "binding_rate": "2e3 /s"},
        injury=injury(center=["20 um", "2.5 um", "6.25 um"], radius="6 um", adhesion_rate="100 /s", recruitment_rate="100 /s", plug_platelets=6, anti_gpib={"compartment": "anti_gpib", "kd": "1 nM"}),
    )
    sim = channel_sim(backend, shape=(16, 5, 5), blood=blood, mean_speed="0.5 mm/s", duration=f"{steps * dt} s", dt=f"{dt} s", seed=seed, timeseries_every=steps,
                      values={"antibody_theta": beta2_theta, "plasma_anti_gpib": anti_gpib_nM})
    sim.plasma = _Plasma()
    step(sim, steps, dt)
    formed = float(sim.backend.to_host(sim.state.arrays[FORMED])[0])
    return (formed if formed >= 0 else steps * dt), ledger.values(sim.state)["ev_bound"]


@pytest.mark.slow  # 15 short runs (~1 min on 2 busy cores)
def test_anti_beta2_spares_the_plug_and_anti_gpib_delays_it(cpu):
    """Over 5 seeds: anti-β2 (θ = 0.99) blocks nearly all sEV binding but moves
    the plug formation time by less than the seed spread; anti-GPIb (θ = 0.9)
    delays it by more than 2 combined SD."""
    seeds = range(1, 6)
    runs = {arm: np.array([plug_formation(cpu, s, *doses) for s in seeds]) for arm, doses in {"control": (0.0, 0.0), "anti_b2": (0.99, 0.0), "anti_gpib": (0.0, 9.0)}.items()}
    arms = {arm: r[:, 0] for arm, r in runs.items()}
    assert runs["control"][:, 1].sum() > 10 * max(runs["anti_b2"][:, 1].sum(), 1)  # sEV-β2 binds platelets, and anti-β2 blocks it
    mean = {arm: t.mean() for arm, t in arms.items()}
    sd = {arm: t.std(ddof=1) for arm, t in arms.items()}
    assert sd["control"] > 0
    assert abs(mean["anti_b2"] - mean["control"]) < np.sqrt((sd["anti_b2"] ** 2 + sd["control"] ** 2) / 2), arms
    assert mean["anti_gpib"] - mean["control"] > 2 * np.sqrt(sd["anti_gpib"] ** 2 + sd["control"] ** 2), arms
