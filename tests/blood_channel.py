"""A synthetic capillary for the blood tests: a straight channel along x of
CAPILLARY voxels walled by SEPTUM, INLET voxels at x = 0 and OUTLET voxels at
x = nx − 1, with the lattice's real flow solver (sim.lattice.flow.Flow) as
``sim.flow``. Builds a real Simulation on a prepared State, then seeds the
blood feature into it."""

from __future__ import annotations

import numpy as np

from alveosim import labels as L
from alveosim.blood import feature, ledger
from alveosim.config import Config
from alveosim.lattice.config import FlowConfig
from alveosim.lattice.flow import Flow
from alveosim.simulation import Simulation
from alveosim.state import State

H = 2.5  # voxel edge, µm


def channel_labels(nx: int, ny: int, nz: int) -> np.ndarray:
    """uint8 [nx, ny, nz]: lumen in 1 <= y < ny-1, 1 <= z < nz-1, septum around."""
    labels = np.full((nx, ny, nz), L.SEPTUM, dtype=np.uint8)
    labels[:, 1 : ny - 1, 1 : nz - 1] = L.CAPILLARY
    labels[0, 1 : ny - 1, 1 : nz - 1] = L.INLET
    labels[nx - 1, 1 : ny - 1, 1 : nz - 1] = L.OUTLET
    return labels


def blood_config(platelets: dict | None = None, vesicles: dict | None = None, **blood) -> dict:
    """A ``blood:`` section with test defaults (overridable key by key)."""
    p = {"density": "1e6 /uL", "volume": "4.7 fL"}
    p.update(platelets or {})
    v = dict(vesicles or {})
    return {"platelets": p, "vesicles": v, **blood}


def channel_sim(backend, shape=(12, 5, 5), blood: dict | None = None, mean_speed="1 mm/s", duration="10 ms", dt="1 ms", seed=7, values=None, arrays=None, phases=None, timeseries_every=1):
    """A Simulation of the blood feature in a straight channel.

    values / arrays: entries put into the State before the blood feature is
    seeded (e.g. ``antibody_theta``, ``ev_shed_rate``); phases: the config's
    phases (default one blood phase of ``duration`` and ``dt``);
    timeseries_every: logging steps, which are the blood clock's host points."""
    nx, ny, nz = shape
    config = Config.model_validate(
        {
            "name": "blood-test",
            "seed": seed,
            "domain": {"size": [f"{nx * H} um", f"{ny * H} um", f"{nz * H} um"], "voxel": f"{H} um"},
            "blood": blood if blood is not None else blood_config(),
            "phases": phases or [{"name": "blood", "clock": "blood", "duration": duration, "dt": dt}],
            "output": {"progress": False, "timeseries_every": timeseries_every},
        }
    )
    state = State(backend, seed)
    state.arrays["labels"] = backend.asarray(channel_labels(nx, ny, nz))
    state.arrays["occluded"] = backend.xp.zeros(shape, dtype=np.uint8)
    state.arrays["pressure"] = backend.xp.zeros(shape, dtype=np.float32)
    state.arrays["velocity"] = backend.xp.zeros(shape + (3,), dtype=np.float32)
    state.values.update(values or {})
    for name, arr in (arrays or {}).items():
        state.arrays[name] = backend.asarray(arr)
    sim = Simulation(config, backend=backend, state=state)
    flow_cfg = FlowConfig.model_validate({"mean_speed": mean_speed, "viscosity": "3.5 mPa*s", "acinar_path": "500 um"})
    sim.flow = Flow(backend, H, 5.0**2 / 12.0, flow_cfg)
    sim.flow.solve(state)
    feature.initialize(sim)
    return sim


def set_uniform_velocity(sim, speed_um_s: float) -> None:
    """Overwrite the velocity with +x ``speed_um_s`` in blood voxels (0 elsewhere)."""
    st = sim.state
    labels = sim.backend.to_host(st.arrays["labels"])
    vel = np.zeros(labels.shape + (3,), dtype=np.float32)
    vel[..., 0] = np.where(np.isin(labels, L.BLOOD), speed_um_s, 0.0)
    st.arrays["velocity"][...] = sim.backend.asarray(vel)


def step(sim, n: int, dt: float = 1e-3) -> None:
    """Run the blood operations for ``n`` steps of ``dt`` s (no writers)."""
    sim._attach_all()
    st = sim.state
    for _ in range(n):
        for op in sim.operations:
            if not op.writer and "blood" in op.clocks and op.trigger(st.step + 1, st.time + dt, dt):
                op.act(st, dt)
        st.step += 1
        st.time += dt


def put_agents(sim, name: str, pos, **fields) -> None:
    """Replace the pool ``name`` by agents at ``pos`` ([n, 3] µm) with given
    fields, entering the change in the ledger as seeded agents."""
    pool = sim.state.pool(name)
    pool.n = 0
    values = {"pos": np.asarray(pos, dtype=np.float32)}
    values.update({k: np.asarray(v) for k, v in fields.items()})
    pool.add(values)
    expected = dict(zip(("ev", "platelet"), ledger.expected_counts(sim.state)))[name]
    ledger.add(sim.state, f"{name}_seeded", pool.n - expected)
