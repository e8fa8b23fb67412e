"""Tumour-cell mechanics: repulsion sweeps resolve overlaps to the tolerance,
identically on both backends; confinement keeps cells out of blood voxels and
epithelial cells in the airspace, while EMT cells may invade the septum."""

import math

import numpy as np

from alveosim.kernels.rules.tumour import EMT, EPITHELIAL
from alveosim.labels import AIR, BLOOD, CAPILLARY, POST, SEPTUM
from alveosim.neighbours import CellList
from alveosim.pools import AgentPool
from alveosim.streams import Stream
from alveosim.tumour.config import Mechanics
from alveosim.tumour.mechanics import Relaxation
from alveosim.tumour.species import TUMOUR

R = 5.0  # µm


def _n(backend, cpu_n, cuda_n):
    return cpu_n if backend.name == "cpu" else cuda_n


def _pool(backend, pos, radius, state):
    pool = AgentPool(TUMOUR, len(pos), backend)
    pool.add({"pos": np.asarray(pos, np.float32), "radius": np.asarray(radius, np.float32), "state": np.asarray(state, np.uint8)})
    return pool


def _relaxation(backend, labels, h, mech=None, skin=0.0):
    size = np.array(labels.shape) * h
    cells = CellList(backend, np.zeros(3), size, cutoff=2.0 * R + skin)
    return Relaxation(backend, cells, backend.asarray(labels), h, mech or Mechanics(), 2.0 * R, skin)


def _worst_overlap(pos, radius):
    """Largest (r_i + r_j - d) / min(r_i, r_j) over all pairs, by brute force."""
    pos = pos.astype(np.float64)
    d = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    r = radius.astype(np.float64)
    f = (r[:, None] + r[None] - d) / np.minimum(r[:, None], r[None])
    np.fill_diagonal(f, -np.inf)
    return f.max()


def _cluster(n, centre, spread, seed=0):
    """n cell centres in a ball of radius ``spread`` µm: a heavily overlapping cluster."""
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, 3))
    v *= (spread * rng.random(n) ** (1 / 3) / np.linalg.norm(v, axis=1))[:, None]
    return centre + v


def _voxels(pos, h):
    return np.floor(pos.astype(np.float64) / h).astype(np.int64)


def test_relaxation_resolves_a_heavily_overlapping_cluster(backend):
    n = _n(backend, 200, 30)
    h = 5.0
    edge = _n(backend, 24, 12)
    labels = np.full((edge,) * 3, AIR, np.uint8)
    centre = np.full(3, edge * h / 2)
    pool = _pool(backend, _cluster(n, centre, 0.35 * R * n ** (1 / 3)), np.full(n, R), np.zeros(n))
    before = _worst_overlap(backend.to_host(pool.live("pos")), np.full(n, R))
    assert before > 1.0  # centres closer than one radius: a hard start
    relax = _relaxation(backend, labels, h)
    worst = relax.relax(pool, seed=1, step=1)
    pos = backend.to_host(pool.live("pos"))
    true_worst = _worst_overlap(pos, np.full(n, R))
    assert true_worst <= Mechanics().tolerance
    assert abs(worst - true_worst) < 1e-5  # the kernel's measure agrees with brute force
    assert np.all((pos >= 0) & (pos < edge * h))


def test_relaxation_stops_at_the_tolerance_whatever_the_skin_and_read_interval(backend):
    """The convergence stop keeps the first positions that meet the
    tolerance, and positions do not depend on when the cell list is rebuilt
    (skin) or how often the host reads the sweep state."""
    n, h, edge = _n(backend, 80, 12), 5.0, _n(backend, 16, 8)
    labels = np.full((edge,) * 3, AIR, np.uint8)
    start = _cluster(n, np.full(3, edge * h / 2), 0.4 * R * n ** (1 / 3), seed=11)
    out = []
    runs = ((0.0, 1), (3.0, 1), (3.0, 3)) if backend.name == "cpu" else ((0.0, 1), (3.0, 4))
    for skin, every in runs:
        pool = _pool(backend, start, np.full(n, R), np.zeros(n))
        relax = _relaxation(backend, labels, h, skin=skin)
        relax.check_every = every
        worst = relax.relax(pool, seed=2, step=4)
        out.append((backend.to_host(pool.live("pos")).copy(), worst, relax.builds))
    for pos, worst, _ in out:
        np.testing.assert_array_equal(pos, out[0][0])
        assert worst == out[0][1] and worst <= Mechanics().tolerance
        assert abs(_worst_overlap(pos, np.full(n, R)) - worst) < 1e-5
    assert relax.sweeps < Mechanics().max_sweeps  # it stopped on the test, not the cap
    assert out[-1][2] < out[0][2]  # the skin saves cell-list builds


def test_relaxation_is_identical_on_cpu_and_cuda(cpu, cuda):
    n, h, edge = 24, 5.0, 10
    labels = np.full((edge,) * 3, AIR, np.uint8)
    labels[:, :, :2] = SEPTUM
    start = _cluster(n, np.array([25.0, 25.0, 16.0]), 6.0, seed=3)
    start[1] = start[0]  # coincident centres take a keyed direction
    radius = np.random.default_rng(4).uniform(0.8 * R, R, n)
    out = []
    for be in (cpu, cuda):
        pool = _pool(be, start, radius, np.arange(n) % 2)
        relax = _relaxation(be, labels, h, Mechanics(min_sweeps=6, max_sweeps=6))
        relax.relax(pool, seed=5, step=2)
        out.append(be.to_host(pool.live("pos")))
    np.testing.assert_array_equal(out[0], out[1])
    assert np.abs(out[0] - start).max() > 1.0  # cells did move


def _slab_labels(edge=16):
    """AIR for k < 6, SEPTUM for 6 <= k < 8 and 10 <= k, CAPILLARY for 8 <= k < 10 with a POST column."""
    labels = np.full((edge,) * 3, AIR, np.uint8)
    labels[:, :, 6:] = SEPTUM
    labels[:, :, 8:10] = CAPILLARY
    labels[4, 4, 8:10] = POST
    return labels


def _moves(backend, labels, h, pool, steps, sigma):
    relax = _relaxation(backend, labels, h, Mechanics(min_sweeps=3, max_sweeps=3))
    k = backend.kernels("tumour")
    lab = backend.asarray(labels)
    for step in range(steps):
        k.motility(pool.n, pool.arrays["pos"], pool.arrays["state"], pool.arrays["uid"], lab, h, sigma, 9, int(Stream.TUMOUR_MOTILITY), step)
        relax.relax(pool, seed=9, step=step)


def test_confinement_keeps_cells_out_of_blood_and_epithelium_in_air(backend):
    h, edge = 2.5, 16
    labels = _slab_labels(edge)
    n = _n(backend, 120, 24)
    rng = np.random.default_rng(2)
    start = np.column_stack([rng.uniform(0, edge * h, (n, 2)), rng.uniform(8.0, 14.9, n)])  # AIR, crowded against the wall
    state = np.where(np.arange(n) % 2 == 0, EPITHELIAL, EMT)
    pool = _pool(backend, start, np.full(n, R), state)
    _moves(backend, labels, h, pool, _n(backend, 40, 8), sigma=3.0)
    pos = backend.to_host(pool.live("pos"))
    ijk = _voxels(pos, h)
    assert np.all((ijk >= 0) & (ijk < edge))  # inside the domain
    lab = labels[ijk[:, 0], ijk[:, 1], ijk[:, 2]]
    assert not np.isin(lab, (*BLOOD, POST)).any()
    assert np.all(lab[state == EPITHELIAL] == AIR)
    if backend.name == "cpu":
        assert (lab[state == EMT] == SEPTUM).any()  # EMT cells do invade the septum


def test_cells_never_enter_a_capillary_even_when_pushed(backend):
    """A dense cluster pressed against the capillary from the septum side:
    EMT cells are pushed around but never into blood."""
    h, edge = 2.5, 16
    labels = _slab_labels(edge)
    n = _n(backend, 60, 16)
    start = _cluster(n, np.array([20.0, 20.0, 26.5]), 4.0, seed=7)  # centred in the upper SEPTUM, next to blood
    start[:, 2] = np.clip(start[:, 2], 25.1, 39.9)
    pool = _pool(backend, start, np.full(n, R), np.full(n, EMT))
    _moves(backend, labels, h, pool, 4, sigma=0.0)
    ijk = _voxels(backend.to_host(pool.live("pos")), h)
    lab = labels[ijk[:, 0], ijk[:, 1], ijk[:, 2]]
    assert not np.isin(lab, (*BLOOD, POST)).any()
    assert math.isfinite(float(backend.to_host(pool.live("pos")).sum()))


def test_crowding_count_on_sorted_slots_equals_the_cell_list_query(backend):
    """The growth's crowding count (agents sorted by cell) equals the generic
    cell-list radius query, agent by agent."""
    n = _n(backend, 400, 40)
    pos = _cluster(n, np.full(3, 30.0), 25.0, seed=5).astype(np.float32)
    cells = CellList(backend, np.zeros(3), np.full(3, 60.0), cutoff=12.0)
    p = backend.asarray(pos)
    cells.build(p, n)
    expected = backend.xp.zeros(n, dtype=np.int32)
    cells.count_within(p, 12.0, expected)
    sorted_pos = backend.xp.zeros((n, 3), dtype=np.float32)
    got = backend.xp.zeros(n, dtype=np.int32)
    k = backend.kernels("tumour")
    k.take_rows(n, cells.order, p, sorted_pos)
    k.crowding(n, sorted_pos, cells.order, cells.cell_of, cells.dims, cells.cell_start, 12.0, got)
    np.testing.assert_array_equal(backend.to_host(got), backend.to_host(expected))
    assert backend.to_host(expected).max() > 3  # crowded enough to count
