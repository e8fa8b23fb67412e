"""Alveolar macrophages (TRMs, MDMs): the cross-species sensing against a
synthetic tumour cell list (nearest distance, contact flags and the contact
switch against brute force), chemotaxis up a linear gradient, the crowding
push, confinement, depletion and MDM recruitment, on both backends (the CUDA
side in Numba's simulator at tiny sizes) and CPU == CUDA simulator."""

import math

import numpy as np
import pytest

from alveosim.kernels.rules.alveolar import NO_TUMOUR_UM, RESIDENT, RIM, TUMOUR_ASSOCIATED
from alveosim.alveolar.contacts import sense_against
from alveosim.alveolar.depletion import deplete
from alveosim.alveolar.motility import MDM_LABELS, TRM_LABELS, label_table, move_pool
from alveosim.alveolar.placement import surface_positions, surface_voxels, trm_count
from alveosim.alveolar.recruitment import recruit, recruit_count
from alveosim.alveolar.species import MDM, TRM
from alveosim.labels import AIR, BLOOD, CAPILLARY, SEPTUM
from alveosim.neighbours import CellList
from alveosim.pools import AgentPool
from alveosim.species import Species, register
from tests.conftest import to_host

H = 2.5
TUMOUR = register(Species("test_tumour_cells", fields={"pos": ("f4", (3,)), "trm_contact": ("u1", ())}))


def _n(backend, cpu_n, cuda_n):
    return cpu_n if backend.name == "cpu" else cuda_n


def _macrophages(backend, species, pos, state=None):
    pool = AgentPool(species, len(pos), backend)
    pool.add({"pos": np.asarray(pos, np.float32), "state": np.zeros(len(pos), np.uint8) if state is None else state})
    return pool


def _tumour_cells(backend, pos, size, cutoff):
    pool = AgentPool(TUMOUR, max(1, len(pos)), backend)
    if len(pos):
        pool.add({"pos": np.asarray(pos, np.float32)})
    cells = CellList(backend, np.zeros(3), np.asarray(size, np.float64), cutoff)
    cells.build(pool.arrays["pos"], pool.n)
    return pool, cells


def _box(backend, size):
    return backend.asarray(np.array([0.0, 0.0, 0.0, *size], dtype=np.float64))


# -- sensing --------------------------------------------------------------
@pytest.mark.parametrize("edge", [5.0, 12.0, 40.0])
def test_sensing_matches_brute_force(backend, edge):
    """Nearest distance (within the search radius, any cell-list edge), the
    crowding count and direction, contact flags and the one-way switch."""
    size = (120.0, 100.0, 80.0)
    rng = np.random.default_rng(4)
    m, n = _n(backend, (300, 400), (40, 60))
    t_pos = (rng.random((n, 3)) * (60.0, 50.0, 40.0) + 30.0).astype(np.float32)
    am = (rng.random((m, 3)) * size).astype(np.float32)
    state = (rng.random(m) < 0.2).astype(np.uint8)  # some already tumour-associated
    contact, crowd, search = 9.0, 15.0, 30.0
    tumour, cells = _tumour_cells(backend, t_pos, size, edge)
    trm = _macrophages(backend, TRM, am, state)
    sense_against(backend, trm, cells, tumour.arrays["pos"], contact, crowd, search, tumour.arrays["trm_contact"])
    got = trm.to_host()
    d = np.sqrt(((am[:, None, :].astype(np.float64) - t_pos[None].astype(np.float64)) ** 2).sum(axis=2))
    dmin = d.min(axis=1)
    want = np.where(dmin < search, dmin, NO_TUMOUR_UM)
    np.testing.assert_allclose(got["nearest_tumour_um"], want, rtol=1e-6)
    np.testing.assert_array_equal(got["crowding"], (d < crowd).sum(axis=1))
    expected_state = np.where(dmin < contact, TUMOUR_ASSOCIATED, state)
    np.testing.assert_array_equal(got["state"], expected_state)
    flags = to_host(backend, tumour.live("trm_contact"))
    np.testing.assert_array_equal(flags, (d < contact).any(axis=0).astype(np.uint8))
    crowded = (d < crowd).sum(axis=1) > 0
    centroid = np.array([t_pos[d[i] < crowd].astype(np.float64).mean(axis=0) if crowded[i] else am[i] for i in range(m)])
    away = am - centroid
    away /= np.maximum(np.linalg.norm(away, axis=1, keepdims=True), 1e-30)
    np.testing.assert_allclose(got["away"][crowded], away[crowded], atol=1e-5)
    assert np.all(got["away"][~crowded] == 0)
    assert 0 < (dmin < contact).sum() < m and 0 < (want < NO_TUMOUR_UM).sum() < m  # not trivial


def test_contact_switch_only_within_contact_distance(backend):
    """A resident TRM switches at 11.9 µm but not at 12.1 µm (contact 12 µm);
    a tumour-associated one never reverts; MDMs flag no tumour cells."""
    size = (100.0, 100.0, 100.0)
    tumour, cells = _tumour_cells(backend, [(50.0, 50.0, 50.0)], size, 12.0)
    am = [(61.9, 50.0, 50.0), (62.1, 50.0, 50.0), (50.0, 90.0, 50.0)]
    trm = _macrophages(backend, TRM, am, np.array([RESIDENT, RESIDENT, TUMOUR_ASSOCIATED], np.uint8))
    sense_against(backend, trm, cells, tumour.arrays["pos"], 12.0, 20.0, 150.0, tumour.arrays["trm_contact"])
    assert list(to_host(backend, trm.live("state"))) == [TUMOUR_ASSOCIATED, RESIDENT, TUMOUR_ASSOCIATED]
    assert to_host(backend, tumour.live("trm_contact"))[0] == 1
    mdm = _macrophages(backend, MDM, am)
    tumour.arrays["trm_contact"][:] = 0
    sense_against(backend, mdm, cells, tumour.arrays["pos"], 12.0, 20.0, 150.0)
    assert list(to_host(backend, mdm.live("state"))) == [TUMOUR_ASSOCIATED, RESIDENT, RESIDENT]
    assert to_host(backend, tumour.live("trm_contact"))[0] == 0


def test_sensing_without_tumour_cells(backend):
    size = (50.0, 50.0, 50.0)
    tumour, cells = _tumour_cells(backend, [], size, 10.0)
    trm = _macrophages(backend, TRM, [(10.0, 10.0, 10.0), (40.0, 5.0, 20.0)])
    sense_against(backend, trm, cells, tumour.arrays["pos"], 12.0, 20.0, 150.0, tumour.arrays["trm_contact"])
    got = trm.to_host()
    assert np.all(got["nearest_tumour_um"] == np.float32(NO_TUMOUR_UM)) and np.all(got["crowding"] == 0) and np.all(got["state"] == RESIDENT)


# -- motion ---------------------------------------------------------------
def _move(backend, pool, field, labels, allowed, dt, steps, chem_speed=0.0, k_grad=1.0, sigma=0.0, crowd_limit=5, push_speed=0.0, rim=RIM, size=None, seed=3):
    box = _box(backend, size)
    f = backend.asarray(field.astype(np.float32))
    lab = backend.asarray(labels)
    table = backend.asarray(label_table(allowed))
    for step in range(steps):
        move_pool(backend, pool, f, lab, table, H, seed, step, dt, chem_speed, k_grad, sigma, crowd_limit, push_speed, rim, box)


def test_chemotaxis_moves_up_a_linear_gradient(backend):
    """S = g·x in an all-AIR box: mean x displacement = v·g/(g+K)·t (noise
    averaged out), and no drift across the gradient."""
    shape = _n(backend, (40, 16, 16), (24, 8, 8))
    size = tuple(s * H for s in shape)
    g, k_grad, speed = 0.02, 0.01, 0.5  # a.u./µm, a.u./µm, µm/s
    x = (np.arange(shape[0]) + 0.5) * H
    field = np.broadcast_to((g * x)[:, None, None], shape).copy()
    labels = np.full(shape, AIR, np.uint8)
    m = _n(backend, 2000, 60)
    rng = np.random.default_rng(1)
    start = np.column_stack([np.full(m, 0.3 * size[0]), rng.random(m) * size[1], rng.random(m) * size[2]]).astype(np.float32)
    pool = _macrophages(backend, TRM, start)
    dt, steps, sigma = 2.0, 5, 0.3
    _move(backend, pool, field, labels, TRM_LABELS, dt, steps, chem_speed=speed, k_grad=k_grad, sigma=sigma, size=size)
    disp = to_host(backend, pool.live("pos")).astype(np.float64) - start
    expected = speed * g / (g + k_grad) * dt * steps  # 6.67 µm
    noise = sigma * math.sqrt(steps) / math.sqrt(m)
    assert abs(disp[:, 0].mean() - expected) < 5 * noise + 1e-4 * expected
    assert disp[:, 0].mean() > 0


def test_crowding_pushes_tumour_associated_trms_outward_only(backend):
    """TRMs inside a dense synthetic cluster: tumour-associated ones move out
    from the centroid at the push speed and become rim; residents and MDMs stay."""
    size = (100.0, 100.0, 100.0)
    rng = np.random.default_rng(2)
    n = _n(backend, 300, 120)
    centre = np.array([50.0, 50.0, 50.0])
    v = rng.normal(size=(n, 3))
    t_pos = centre + v / np.linalg.norm(v, axis=1, keepdims=True) * 25.0 * rng.random((n, 1)) ** (1 / 3)
    tumour, cells = _tumour_cells(backend, t_pos, size, 15.0)
    m = _n(backend, 200, 30)
    v = rng.normal(size=(m, 3))
    am = centre + v / np.linalg.norm(v, axis=1, keepdims=True) * 10.0 * rng.random((m, 1))
    labels = np.full((40, 40, 40), AIR, np.uint8)
    field = np.zeros((40, 40, 40))
    pools = {
        "ta": _macrophages(backend, TRM, am, np.full(m, TUMOUR_ASSOCIATED, np.uint8)),
        "resident": _macrophages(backend, TRM, am, np.full(m, RESIDENT, np.uint8)),
        "mdm": _macrophages(backend, MDM, am, np.full(m, TUMOUR_ASSOCIATED, np.uint8)),
    }
    dt, steps, push = 60.0, 4, 0.05  # 12 µm outward
    for name, pool in pools.items():
        for step in range(steps):
            sense_against(backend, pool, cells, tumour.arrays["pos"], 1e-3, 15.0, 50.0)  # no contact switch
            _move(backend, pool, field, labels, TRM_LABELS, dt, 1, crowd_limit=5, push_speed=0.0 if name == "mdm" else push, size=size, seed=step)
    r0 = np.linalg.norm(am - centre, axis=1).mean()
    r = {k: np.linalg.norm(to_host(backend, p.live("pos")) - centre, axis=1).mean() for k, p in pools.items()}
    # each pushed step is push·dt along the local outward direction: the mean
    # radius grows by a good share of the path (directions near the centre scatter)
    assert 0.4 * push * dt * steps < r["ta"] - r0 <= push * dt * steps + 1e-3
    assert abs(r["resident"] - r0) < 1e-4 and abs(r["mdm"] - r0) < 1e-4
    assert np.all(to_host(backend, pools["ta"].live("state")) == RIM)


def test_confinement_never_in_blood_or_disallowed_voxels(backend):
    """Strong random motion and chemotaxis toward a capillary slab: TRMs stay
    in AIR, MDMs never enter blood voxels."""
    shape = (12, 12, 12)
    size = tuple(s * H for s in shape)
    labels = np.full(shape, AIR, np.uint8)
    labels[:, :, 6:8] = SEPTUM
    labels[:, :, 8] = CAPILLARY
    field = np.broadcast_to(((np.arange(12) + 0.5) * H)[None, None, :], shape).copy()  # attractant rises toward +z
    rng = np.random.default_rng(5)
    m = _n(backend, 500, 40)
    start = np.column_stack([rng.random(m) * size[0], rng.random(m) * size[1], rng.random(m) * 5 * H]).astype(np.float32)
    for species, allowed in ((TRM, TRM_LABELS), (MDM, MDM_LABELS)):
        pool = _macrophages(backend, species, start)
        _move(backend, pool, field, labels, allowed, 1.0, 8, chem_speed=3.0, k_grad=0.01, sigma=2.0, size=size)
        p = to_host(backend, pool.live("pos"))
        ijk = np.clip(np.floor(p / H).astype(int), 0, 11)
        lab = labels[ijk[:, 0], ijk[:, 1], ijk[:, 2]]
        assert np.isin(lab, allowed).all() and not np.isin(lab, BLOOD).any()
        assert (p >= 0).all() and (p <= np.array(size)).all()
    assert (lab == SEPTUM).any()  # MDMs did reach the septum: the test is not trivial


def test_motion_and_sensing_identical_on_cpu_and_cuda(cpu, cuda):
    size = (30.0, 30.0, 30.0)
    shape = (12, 12, 12)
    rng = np.random.default_rng(9)
    labels = np.where(rng.random(shape) < 0.8, AIR, SEPTUM).astype(np.uint8)
    field = rng.random(shape)
    t_pos = (rng.random((40, 3)) * size).astype(np.float32)
    am = (rng.random((30, 3)) * size).astype(np.float32)
    out = []
    for be in (cpu, cuda):
        tumour, cells = _tumour_cells(be, t_pos, size, 6.0)
        pool = _macrophages(be, TRM, am)
        for step in range(3):
            sense_against(be, pool, cells, tumour.arrays["pos"], 4.0, 8.0, 20.0, tumour.arrays["trm_contact"])
            _move(be, pool, field, labels, MDM_LABELS, 30.0, 1, chem_speed=0.1, k_grad=0.05, sigma=1.0, crowd_limit=1, push_speed=0.05, size=size, seed=step)
        out.append((pool.to_host(), to_host(be, tumour.live("trm_contact"))))
    for key in ("pos", "state", "nearest_tumour_um", "crowding", "away"):
        np.testing.assert_array_equal(out[0][0][key], out[1][0][key])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    assert (out[0][0]["state"] != RESIDENT).any()


# -- depletion ------------------------------------------------------------
def test_depletion_removes_the_fraction_deterministically(backend):
    m = _n(backend, 20000, 300)
    fraction = 0.7
    kept = []
    for _ in range(2):
        pool = _macrophages(backend, TRM, np.zeros((m, 3)))
        removed = deplete(backend, pool, fraction, seed=5, step=11)
        assert removed + pool.n == m
        kept.append(to_host(backend, pool.uid))
    assert abs(removed / m - fraction) < 4.5 * math.sqrt(fraction * (1 - fraction) / m)
    np.testing.assert_array_equal(kept[0], kept[1])
    assert np.all(np.diff(kept[0]) > 0)  # survivors keep their order
    other = _macrophages(backend, TRM, np.zeros((m, 3)))
    deplete(backend, other, fraction, seed=6, step=11)
    assert not np.array_equal(to_host(backend, other.uid), kept[0])


def test_depletion_identical_on_cpu_and_cuda(cpu, cuda):
    uids = []
    for be in (cpu, cuda):
        pool = _macrophages(be, TRM, np.zeros((200, 3)))
        deplete(be, pool, 0.4, seed=1, step=2)
        uids.append(to_host(be, pool.uid))
    np.testing.assert_array_equal(uids[0], uids[1])


# -- recruitment ----------------------------------------------------------
def test_recruit_count_is_poisson_in_tumour_burden():
    """Mean over steps ≈ rate · n · dt (proportional to the tumour count);
    zero without tumour cells or rate."""
    rate, dt = 0.02 / 86400.0, 3600.0
    for n in (500, 4000):
        lam = rate * n * dt
        draws = np.array([recruit_count(rate, n, dt, 3, step) for step in range(600)])
        assert abs(draws.mean() - lam) < 4.5 * math.sqrt(lam / 600)
        assert abs(draws.var() - lam) < 0.35 * lam
    assert recruit_count(rate, 0, dt, 3, 7) == 0 and recruit_count(0.0, 1000, dt, 3, 7) == 0


def test_recruited_mdms_enter_next_to_capillaries_near_tumour_cells(backend):
    shape = (16, 16, 16)
    labels = np.full(shape, AIR, np.uint8)
    labels[:, :, 7:9] = SEPTUM
    labels[:, 3:5, 8] = CAPILLARY  # a capillary strip along x
    t_pos = np.array([[20.0, 12.0, 24.0], [30.0, 10.0, 30.0]], np.float32)
    tumour, _ = _tumour_cells(backend, t_pos, (40.0, 40.0, 40.0), 10.0)
    mdm = AgentPool(MDM, 4, backend)
    k = _n(backend, 200, 30)
    added = recruit(backend, mdm, tumour, backend.asarray(labels), H, 30.0, k, seed=2, step=5)
    assert added == mdm.n == k and len(np.unique(to_host(backend, mdm.uid))) == k
    p = to_host(backend, mdm.live("pos")).astype(np.float64)
    ijk = np.floor(p / H).astype(int)
    assert np.isin(labels[tuple(ijk.T)], (AIR, SEPTUM)).all()
    blood = np.isin(labels, BLOOD)
    touching = np.zeros(len(ijk), bool)
    for axis in range(3):
        for s in (1, -1):
            nb = ijk.copy()
            nb[:, axis] += s
            ok = (nb >= 0).all(axis=1) & (nb < 16).all(axis=1)
            touching[ok] |= blood[tuple(nb[ok].T)]
    assert touching.all()
    d = np.sqrt(((p[:, None] - t_pos[None]) ** 2).sum(axis=2)).min(axis=1)
    assert d.max() <= 30.0 + H
    assert recruit(backend, mdm, None, backend.asarray(labels), H, 30.0, 5, seed=2, step=6) == 0


# -- placement ------------------------------------------------------------
def test_trm_placement_on_the_alveolar_surface():
    shape = (20, 20, 20)
    labels = np.full(shape, AIR, np.uint8)
    labels[:, :, 10:12] = SEPTUM
    labels[:, :, 11] = CAPILLARY
    cand = surface_voxels(labels)
    assert cand.size == 20 * 20  # only the z = 9 layer touches septum (z = 12 touches capillary)
    count = trm_count(labels, H, per_alveolus=8.0, alveolar_diameter_um=20.0)
    air_volume = (labels == AIR).sum() * H**3
    assert count == round(8.0 * air_volume / (math.pi / 6 * 20.0**3))
    pos = surface_positions(labels, H, count, seed=4)
    assert len(pos) == min(count, cand.size)
    ijk = np.floor(pos / H).astype(int)
    assert np.all(ijk[:, 2] == 9) and len({tuple(v) for v in ijk}) == len(pos)
    np.testing.assert_array_equal(pos, surface_positions(labels, H, count, seed=4))
    assert not np.array_equal(pos, surface_positions(labels, H, count, seed=5))
