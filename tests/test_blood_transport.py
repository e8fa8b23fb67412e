"""Blood transport: advection with the voxel velocity, confinement to open
blood voxels, Poisson inflow at the plasma concentration, CPU == CUDA."""

import numpy as np
import pytest
from pydantic import ValidationError

from blood_channel import H, blood_config, channel_sim, put_agents, set_uniform_velocity, step
from alveosim import labels as L
from alveosim.blood import ledger
from alveosim.pools import PoolCapacityError
from alveosim.blood.config import BloodConfig

STILL = {"diffusivity": "0 um^2/s"}


def test_config_converts_units_and_rejects_unknown_keys():
    cfg = BloodConfig.model_validate(blood_config(platelets={"activation_delay": "2 s"}, vesicles={"half_life": "5 min"}))
    assert cfg.platelets.density == pytest.approx(1e-3)  # 1e6 /uL in 1/um^3
    assert cfg.vesicles.half_life == pytest.approx(300.0)
    with pytest.raises(ValidationError, match="bonds"):
        BloodConfig.model_validate(blood_config(platelets={"bonds": 2}))
    with pytest.raises(ValidationError):
        BloodConfig.model_validate(blood_config(platelets={"volume": "5 um"}))


def test_advection_moves_agents_by_velocity_times_dt(backend):
    sim = channel_sim(backend, blood=blood_config(platelets={**STILL, "density": "1 /uL"}, vesicles={**STILL, "half_life": "1e6 s"}))
    set_uniform_velocity(sim, 500.0)
    start = np.array([[5.0, 3.0, 4.0], [10.1, 6.0, 6.2], [20.0, 5.0, 3.3]], dtype=np.float32)
    put_agents(sim, "ev", start, beta2=np.zeros(3, np.float32))
    step(sim, 4, dt=1e-3)
    pos = backend.to_host(sim.state.pool("ev").live("pos"))
    np.testing.assert_allclose(pos[:, 0], start[:, 0] + 2.0, atol=1e-4)  # 500 um/s x 4 ms
    np.testing.assert_array_equal(pos[:, 1:], start[:, 1:])


def test_brownian_agents_stay_in_open_blood_voxels(backend):
    sim = channel_sim(backend, blood=blood_config(platelets={"diffusivity": "400 um^2/s"}, vesicles={"diffusivity": "400 um^2/s", "plasma_concentration": "5e10 /mL"}))
    set_uniform_velocity(sim, 0.0)
    step(sim, 6, dt=1e-3)  # sqrt(2 D dt) ~ 0.9 um per axis per step
    labels = backend.to_host(sim.state.arrays["labels"])
    for name in ("ev", "platelet"):
        pos = backend.to_host(sim.state.pool(name).live("pos"))
        ijk = np.floor(pos / H).astype(int)
        assert np.isin(labels[ijk[:, 0], ijk[:, 1], ijk[:, 2]], L.BLOOD).all()
    ev, platelets = ledger.expected_counts(sim.state)
    assert (sim.state.pool("ev").n, sim.state.pool("platelet").n) == (ev, platelets)


def test_poisson_counts_have_poisson_mean_and_variance(cpu):
    k = cpu.kernels("blood")
    for lam in (0.2, 4.0, 60.0):
        n = 40000
        counts = np.zeros(n, dtype=np.int64)
        k.poisson_counts(n, np.full(n, lam), np.arange(n, dtype=np.int64), 3, 0, 1, counts)
        assert counts.mean() == pytest.approx(lam, abs=5 * np.sqrt(lam / n))
        assert counts.var() == pytest.approx(lam, rel=0.06)


def test_poisson_counts_equal_on_both_backends(cpu, cuda):
    lam = np.linspace(0.0, 45.0, 48)
    keys = np.arange(48, dtype=np.int64) * 7
    out = []
    for be in (cpu, cuda):
        counts = be.xp.zeros(48, dtype=np.int64)
        be.kernels("blood").poisson_counts(48, be.asarray(lam), be.asarray(keys), 11, 0, 5, counts)
        out.append(be.to_host(counts))
    np.testing.assert_array_equal(out[0], out[1])


def test_inflow_matches_flow_times_plasma_concentration(cpu):
    conc = "2e11 /mL"  # 0.2 EVs/um^3
    sim = channel_sim(cpu, shape=(8, 5, 5), blood=blood_config(platelets={"density": "1e7 /uL"}, vesicles={"plasma_concentration": conc}), duration="0.1 s")
    set_uniform_velocity(sim, 1000.0)
    step(sim, 100, dt=1e-3)
    q = 1000.0 * 9 * H * H  # um^3/s through the 3 x 3 inlet voxels
    expected = 0.2 * q * 0.1
    assert ledger.values(sim.state)["ev_inflow"] == pytest.approx(expected, abs=5 * np.sqrt(expected))
    expected_pl = 1e-2 * q * 0.1
    assert ledger.values(sim.state)["platelet_inflow"] == pytest.approx(expected_pl, abs=5 * np.sqrt(expected_pl))


def test_cpu_and_cuda_runs_are_identical(cpu, cuda):
    blood = blood_config(
        platelets={"density": "2e7 /uL", "bonds_to_prime": 1, "activation_delay": "1 ms", "aggregation_rate": "1e4 /s"},
        vesicles={"plasma_concentration": "2e11 /mL", "binding_rate": "2e3 /s", "half_life": "50 ms"},
    )
    results = []
    for be in (cpu, cuda):
        sim = channel_sim(be, shape=(8, 5, 5), blood=blood)
        step(sim, 5, dt=1e-3)
        results.append({name: pool.to_host() for name, pool in sim.state.pools.items()} | {"values": dict(sim.state.values)})
    for name in ("ev", "platelet"):
        for field, arr in results[0][name].items():
            np.testing.assert_array_equal(arr, results[1][name][field], err_msg=f"{name}.{field}")
    assert results[0]["values"] == results[1]["values"]


def test_host_points_grow_pools_before_births_fill_them(cpu):
    """Pools of 4 rows under heavy inflow: the host points grow them ahead of
    the births (no birth is lost), and without that check the births that
    find no free row are reported, never silently dropped."""
    blood = blood_config(platelets={"density": "1e7 /uL", "capacity": 4}, vesicles={"plasma_concentration": "2e11 /mL", "capacity": 4})
    sim = channel_sim(cpu, shape=(8, 5, 5), blood=blood, duration="5 ms")
    set_uniform_velocity(sim, 1000.0)
    step(sim, 5)
    st = sim.state
    assert st.pool("ev").capacity > 4 and st.pool("platelet").capacity > 4
    assert (st.pool("ev").n, st.pool("platelet").n) == ledger.expected_counts(st)
    inflow = next(op for op in sim.operations if type(op).__name__ == "BloodInflow")
    free = st.pool("ev").capacity - st.pool("ev").n
    for _ in range(300):  # inflow alone (11 EVs a step), no host point: the EV pool fills up
        inflow.act(st, 1e-3)
        st.step += 1
    with pytest.raises(PoolCapacityError, match="births did not fit"):
        st.pool("ev").n
    assert free < ledger.values(st)["ev_inflow"]
