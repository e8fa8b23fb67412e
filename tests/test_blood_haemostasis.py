"""Haemostasis at an injury: GPIb–vWF tethering at the injured wall only,
capture into the plug, anti-GPIb scaling, the plug formation time; and the
assay's claim over seeds (anti-β2 spares the plug, anti-GPIb impairs it)."""

import numpy as np
import pytest

from blood_channel import H, blood_config, channel_sim, put_agents, set_uniform_velocity, step
from alveosim.blood.haemostasis import FORMED, injured_walls
from alveosim.blood.species import ACTIVATED, AGGREGATED, BY_INJURY, BY_SEV, RESTING
from alveosim.labels import CAPILLARY, SEPTUM

STILL = {"diffusivity": "0 um^2/s", "spontaneous_activation_rate": "0 /s", "aggregation_rate": "0 /s"}


def injury(**over):
    """An injury on the channel's y = 0 wall (the face y = 2.5 um) around x = 10 um."""
    out = {"center": ["10 um", "2.5 um", "6.25 um"], "radius": "4 um", "contact_distance": "1.25 um", "adhesion_rate": "1e9 /s", "recruitment_rate": "0 /s", "plug_platelets": 2}
    out.update(over)
    return out


def test_injured_walls_flags_only_wall_faces_near_the_centre():
    labels = np.full((6, 4, 4), SEPTUM, np.uint8)
    labels[:, 1:3, 1:3] = CAPILLARY
    walls = injured_walls(labels, 2.0, [6.0, 2.0, 4.0], 1.5)
    # the face y = 2 um of voxels x in [4, 6) and [6, 8), z in [2, 4) and [4, 6)
    flagged = np.argwhere(walls)
    assert {tuple(v) for v in flagged} == {(2, 1, 1), (2, 1, 2), (3, 1, 1), (3, 1, 2)}
    assert (walls[walls != 0] == 1 << 2).all()  # the lower-y face only
    assert not walls[labels != CAPILLARY].any()


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
