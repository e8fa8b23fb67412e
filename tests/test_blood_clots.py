"""Clots and occlusion: voxels past the platelet volume fraction are
occluded, the real flow solver is re-run and flow through the clot drops;
free agents never enter occluded voxels; the clot report."""

import numpy as np
import pytest

from blood_channel import H, blood_config, channel_sim, put_agents, step
from alveosim.blood.clots import clot_report, occluding_count
from alveosim.blood.species import AGGREGATED, RESTING


def test_occluding_count_is_the_volume_fraction_threshold():
    assert occluding_count(0.5, 4.7, H**3) == 2  # 2 x 4.7 / 15.625 = 0.60 >= 0.5 > 0.30
    assert occluding_count(1.0, 4.7, H**3) == 4


def test_occlusion_lowers_flow_through_the_clot(backend):
    blood = blood_config(platelets={"diffusivity": "400 um^2/s", "density": "1 /uL", "aggregation_rate": "0 /s", "aggregation_radius": "3 um", "spontaneous_activation_rate": "0 /s"}, vesicles={"diffusivity": "400 um^2/s", "plasma_concentration": "1e11 /mL"})
    sim = channel_sim(backend, blood=blood, mean_speed="0.2 mm/s")
    st = sim.state
    q0 = st.values["flow_rate_um3_s"]
    vx0 = backend.to_host(st.arrays["velocity"])[6, 1:4, 1:4, 0].copy()
    # a clot of 2 aggregated platelets in each of 6 of the 9 lumen voxels of slab x = 6 (fraction 0.6),
    # linked into one aggregate (neighbouring voxels' platelets are 2.5 um apart, within 3 um)
    clot_voxels = [(6, j, k) for j in (1, 2) for k in (1, 2, 3)]
    pos = [[(i + 0.3 + 0.4 * s) * H, (j + 0.5) * H, (k + 0.5) * H] for (i, j, k) in clot_voxels for s in (0, 1)]
    n = len(pos)
    put_agents(sim, "platelet", pos, state=np.full(n, AGGREGATED, np.uint8), aggregate=np.full(n, 0), activated_by=np.full(n, 2, np.uint8))
    step(sim, 3)
    occluded = backend.to_host(st.arrays["occluded"])
    expected = np.zeros_like(occluded)
    for v in clot_voxels:
        expected[v] = 1
    np.testing.assert_array_equal(occluded, expected)
    vel = backend.to_host(st.arrays["velocity"])
    assert (vel[6, 1:3, 1:4] == 0).all()
    assert st.values["flow_rate_um3_s"] < 0.8 * q0  # same pressure drop, narrower channel
    assert vel[6, 3, 1:4, 0].mean() > vx0.mean()  # the open lane carries faster flow past the clot
    assert st.values["occlusion_events"] == 1
    # EVs put next to the clot, on both sides, never enter it
    rng = np.random.default_rng(1)
    near = np.concatenate([rng.uniform([5 * H, H, H], [6 * H, 4 * H, 4 * H], (100, 3)), rng.uniform([7 * H, H, H], [8 * H, 4 * H, 4 * H], (100, 3))])
    put_agents(sim, "ev", near, beta2=np.ones(200, np.float32))
    step(sim, 4)
    ijk = np.floor(backend.to_host(st.pool("ev").live("pos")) / H).astype(int)
    assert not occluded[ijk[:, 0], ijk[:, 1], ijk[:, 2]].any()
    report = clot_report(st, 4.7)
    assert report["aggregates"] == 1 and report["clot_largest_platelets"] == 12
    assert report["clot_largest_um3"] == pytest.approx(12 * 4.7)


def test_clot_report_counts_components_and_states(cpu):
    sim = channel_sim(cpu, blood=blood_config(platelets={"density": "1 /uL"}))
    states = np.array([AGGREGATED] * 5 + [RESTING] * 2, np.uint8)
    put_agents(sim, "platelet", np.tile([[10.0, 5.0, 5.0]], (7, 1)), state=states, aggregate=np.array([3, 3, 3, 9, 9, -1, -1]))
    r = clot_report(sim.state, 4.7)
    assert (r["aggregates"], r["clot_largest_platelets"], r["platelets_aggregated"], r["platelets_resting"]) == (2, 3, 5, 2)
    assert r["clot_volume_um3"] == pytest.approx(5 * 4.7)
