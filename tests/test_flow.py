"""Capillary flow on the lattice: Darcy/Hele-Shaw solve, mass conservation,
disconnected voxels and occlusion."""

import numpy as np
import pytest

from alveosim import labels as L
from alveosim.backend import select_backend
from alveosim.lattice.config import FlowConfig, LatticeConfig
from alveosim.lattice.flow import Flow
from alveosim.lattice.generate import generate
from alveosim.state import State

H = 2.5  # voxel edge, um
SHEET = 5.0  # capillary sheet thickness, um -> Hele-Shaw permeability SHEET^2 / 12
FLOW = FlowConfig.model_validate({"mean_speed": "1 mm/s", "viscosity": "3.5 mPa*s", "acinar_path": "500 um"})


def make_state(backend, labels):
    """A State holding host ``labels`` (uint8 [nx, ny, nz]) and no occlusion."""
    st = State(backend, 0)
    st.arrays["labels"] = backend.asarray(labels.astype(np.uint8))
    st.arrays["occluded"] = backend.xp.zeros(labels.shape, dtype=np.uint8)
    return st


def make_flow(backend):
    return Flow(backend, H, SHEET**2 / 12.0, FLOW)


def channel(shape, ys, zs):
    """Blood in x-running channel(s) at rows ys, zs; inlet x = 0, outlet x = nx - 1."""
    labels = np.full(shape, L.SEPTUM, dtype=np.uint8)
    for y in ys:
        for z in zs:
            labels[:, y, z] = L.CAPILLARY
            labels[0, y, z] = L.INLET
            labels[-1, y, z] = L.OUTLET
    return labels


def host(backend, st, name):
    return np.asarray(backend.to_host(st.arrays[name]), dtype=np.float64)


def test_straight_channel_matches_darcy(backend):
    """Uniform channel: linear pressure, uniform velocity equal to the target
    speed, and the Hele-Shaw pressure drop 12 mu U L / c^2."""
    nx = 12
    labels = channel((nx, 5, 5), ys=[1, 2], zs=[2, 3])
    st = make_state(backend, labels)
    sol = make_flow(backend).solve(st)
    p = host(backend, st, "pressure")
    u = host(backend, st, "velocity")
    length = (nx - 1) * H
    drop = 12.0 * FLOW.viscosity * FLOW.mean_speed * length / SHEET**2
    assert st.values["flow_pressure_drop_Pa"] == pytest.approx(drop, rel=1e-6)
    expected = drop * (1.0 - np.arange(nx) / (nx - 1))
    for y in (1, 2):
        for z in (2, 3):
            np.testing.assert_allclose(p[:, y, z], expected, rtol=1e-5, atol=1e-5 * drop)
            np.testing.assert_allclose(u[:, y, z, 0], FLOW.mean_speed, rtol=1e-5)
    assert np.abs(u[..., 1:]).max() <= 1e-6 * FLOW.mean_speed
    blood = np.isin(labels, L.BLOOD)
    assert np.all(p[~blood] == 0) and np.all(u[~blood] == 0)
    # Q = U * cross-section; transit = V / Q
    assert sol.inflow == pytest.approx(FLOW.mean_speed * 4 * H * H, rel=1e-6)
    assert st.values["flow_domain_transit_time_s"] == pytest.approx(nx * H / FLOW.mean_speed, rel=1e-6)


def test_lattice_flow_conserves_mass_and_is_physiological():
    cpu = select_backend("cpu")
    cfg = LatticeConfig.model_validate({})
    st = make_state(cpu, generate(cpu, (64, 48, 48), H, cfg, seed=2).labels)
    sol = Flow(cpu, H, cfg.capillary_thickness**2 / 12.0, cfg.flow).solve(st)
    assert abs(sol.inflow - sol.outflow) <= 1e-6 * sol.inflow
    assert sol.max_divergence <= 1e-6 * sol.mean_face_flux
    assert st.values["flow_mean_speed_um_s"] == pytest.approx(1000.0, rel=1e-9)
    assert 0.3 <= st.values["flow_transit_time_s"] <= 3.0
    # pulmonary capillary arterio-venous drop: a few mmHg
    assert 50.0 < st.values["flow_pressure_drop_Pa"] < 2000.0
    speed = np.linalg.norm(st.arrays["velocity"], axis=-1)
    assert np.all(speed[~np.isin(st.arrays["labels"], L.BLOOD)] == 0)


def test_cpu_and_cuda_simulator_flow_agree(cpu, cuda):
    cfg = LatticeConfig.model_validate({"alveolar_diameter": "20 um", "septal_thickness": "6 um", "capillary_thickness": "3 um",
                                        "post_spacing": "6 um", "post_radius": "1 um"})
    out = []
    for be in (cpu, cuda):
        st = make_state(be, be.to_host(generate(be, (12, 12, 12), H, cfg, seed=4).labels))
        sol = make_flow(be).solve(st)
        out.append((host(be, st, "pressure"), host(be, st, "velocity"), sol))
    (p0, u0, s0), (p1, u1, s1) = out
    assert s0.conducting == s1.conducting > 0
    np.testing.assert_allclose(p1, p0, rtol=1e-5, atol=1e-6 * p0.max())
    np.testing.assert_allclose(u1, u0, rtol=1e-4, atol=1e-5 * FLOW.mean_speed)


def test_disconnected_and_dead_end_voxels_carry_no_flow(backend):
    labels = channel((10, 6, 4), ys=[1], zs=[1])
    labels[3:6, 4, 2] = L.CAPILLARY  # isolated blob
    labels[4, 2:4, 1] = L.CAPILLARY  # dead-end side branch off the channel
    st = make_state(backend, labels)
    make_flow(backend).solve(st)
    u = host(backend, st, "velocity")
    p = host(backend, st, "pressure")
    assert np.all(u[3:6, 4, 2] == 0) and np.all(p[3:6, 4, 2] == 0)
    assert np.abs(u[4, 2:4, 1]).max() <= 1e-6 * FLOW.mean_speed
    assert np.all(u[:, 1, 1, 0] > 0)
    assert st.values["flow_conducting_voxels"] == 10 + 2


def ladder():
    """Two x-channels (y = 1 and y = 5, z = 1) joined by a rung at x = 8."""
    labels = channel((16, 7, 3), ys=[1, 5], zs=[1])
    labels[8, 2:5, 1] = L.CAPILLARY
    return labels


def plane_fluxes(p, conducting, g):
    """Flux (um^3/s) through each plane between x = i and i + 1."""
    both = conducting[:-1] & conducting[1:]
    return g * np.where(both, p[:-1] - p[1:], 0.0).sum(axis=(1, 2))


def test_occluding_a_branch_reroutes_through_the_rung(backend):
    st = make_state(backend, ladder())
    flow = make_flow(backend)
    flow.solve(st)
    q_open = st.values["flow_rate_um3_s"]
    mask = np.zeros(ladder().shape, dtype=bool)
    mask[4, 1, 1] = True  # cross-section of channel A upstream of the rung
    flow.occlude(st, backend.asarray(mask))
    sol = flow.solve(st)
    u = host(backend, st, "velocity")
    assert np.abs(u[:8, 1, 1]).max() <= 1e-6 * FLOW.mean_speed  # upstream of the block: dead end
    assert np.all(u[9:, 1, 1, 0] > 0)  # downstream of the rung: fed through it
    assert np.all(u[8, 2:5, 1, 1] < 0)  # rung carries flow from channel B to channel A
    assert 0 < sol.inflow < q_open  # same pressure drop, higher resistance
    assert sol.outflow == pytest.approx(sol.inflow, rel=1e-6)
    conducting = np.linalg.norm(u, axis=-1) > 0
    conducting |= np.isin(ladder(), L.BLOOD) & (host(backend, st, "pressure") > 0)
    flux = plane_fluxes(host(backend, st, "pressure"), conducting, flow.face_conductance)
    np.testing.assert_allclose(flux, sol.inflow, rtol=1e-4)


def test_occluding_a_full_cross_section_stops_the_flow(backend):
    st = make_state(backend, ladder())
    flow = make_flow(backend)
    flow.solve(st)
    mask = np.zeros(ladder().shape, dtype=bool)
    mask[11] = True
    flow.occlude(st, backend.asarray(mask))
    sol = flow.solve(st)
    assert sol.inflow == 0 and sol.conducting == 0
    assert np.all(host(backend, st, "velocity") == 0)
    assert st.values["flow_mean_speed_um_s"] == 0
    assert st.values["flow_transit_time_s"] == float("inf")
    assert np.all(backend.to_host(st.arrays["occluded"])[11] == 1)
    labels = ladder()
    blood = np.isin(labels, L.BLOOD)
    assert st.values["capillary_occluded_fraction"] == (blood[11].sum() / blood.sum())


def test_lattice_occlusion_slab_stops_flow_and_block_reroutes():
    cpu = select_backend("cpu")
    cfg = LatticeConfig.model_validate({})
    labels = generate(cpu, (48, 40, 40), H, cfg, seed=7).labels
    st = make_state(cpu, labels)
    flow = Flow(cpu, H, cfg.capillary_thickness**2 / 12.0, cfg.flow)
    cold = flow.solve(st)
    drop = st.values["flow_pressure_drop_Pa"]
    block = np.zeros(labels.shape, dtype=bool)
    block[20:28, 10:30, 10:30] = True
    flow.occlude(st, block)
    sol = flow.solve(st)
    assert 0 < sol.inflow < cold.inflow
    assert abs(sol.inflow - sol.outflow) <= 1e-6 * sol.inflow
    assert np.all(st.arrays["velocity"][block] == 0)
    assert st.values["flow_pressure_drop_Pa"] == drop  # fixed arterio-venous drop after occlusion
    slab = np.zeros(labels.shape, dtype=bool)
    slab[30:32] = True
    flow.occlude(st, slab)
    assert flow.solve(st).inflow == 0


def test_re_solve_is_warm_started():
    cpu = select_backend("cpu")
    cfg = LatticeConfig.model_validate({"flow": {"preconditioner": "jacobi"}})
    st = make_state(cpu, generate(cpu, (48, 40, 40), H, cfg, seed=7).labels)
    flow = Flow(cpu, H, cfg.capillary_thickness**2 / 12.0, cfg.flow)
    cold = flow.solve(st)
    drop = st.values["flow_pressure_drop_Pa"]
    warm = flow.solve(st)
    assert warm.iterations < cold.iterations / 4
    assert st.values["flow_pressure_drop_Pa"] == drop
    assert warm.inflow == pytest.approx(cold.inflow, rel=1e-6)
