"""Connected clusters (sim/clusters.py): least-uid labels equal a brute-force
union-find, do not depend on row order, respect the mask, and agree between
the CPU and the CUDA simulator."""

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

from alveosim.clusters import connected_components
from alveosim.neighbours import CellList


def brute_force_labels(pos, uid, mask, link_distance, radius, link_factor):
    """Least uid per connected set from a dense pair-distance graph (scipy)."""
    pos = pos.astype(np.float64)
    reach = link_distance + link_factor * (radius[:, None].astype(np.float64) + radius[None, :])
    d2 = ((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1)
    adj = (d2 < reach * reach) & mask[:, None] & mask[None, :]
    i, j = np.nonzero(adj)
    _, comp = scipy_components(coo_matrix((np.ones(len(i)), (i, j)), shape=(len(pos),) * 2), directed=False)
    least = np.full(comp.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(least, comp, uid)
    return np.where(mask, least[comp], -1)


def label(backend, pos, uid, mask=None, link_distance=0.0, radius=None, link_factor=0.0, box=60.0, cutoff=8.0):
    cells = CellList(backend, [0, 0, 0], [box] * 3, cutoff=cutoff)
    dpos = backend.asarray(pos)
    cells.build(dpos, len(pos))
    dmask = None if mask is None else backend.asarray(mask)
    drad = None if radius is None else backend.asarray(radius)
    out = connected_components(cells, dpos, backend.asarray(uid), len(pos), mask=dmask, link_distance=link_distance, radius=drad, link_factor=link_factor)
    return backend.to_host(out)


def random_agents(n, box, seed):
    rng = np.random.default_rng(seed)
    pos = (rng.random((n, 3)) * box).astype(np.float32)
    radius = rng.uniform(1.5, 3.0, n).astype(np.float32)
    uid = rng.permutation(10 * n)[:n].astype(np.int64)  # unique, unordered
    mask = rng.random(n) < 0.85
    return pos, radius, uid, mask


@pytest.mark.parametrize("mode", ["radii", "fixed"])
def test_labels_equal_brute_force_union_find(backend, mode):
    n = 1500 if backend.name == "cpu" else 120
    box = 60.0 if backend.name == "cpu" else 28.0
    pos, radius, uid, mask = random_agents(n, box, seed=3)
    if mode == "radii":
        kw = {"radius": radius, "link_factor": 1.2, "link_distance": 0.0}
    else:
        kw = {"radius": None, "link_factor": 0.0, "link_distance": 4.5}
    got = label(backend, pos, uid, mask=mask, box=box, **kw)
    expected = brute_force_labels(pos, uid, mask, kw["link_distance"], radius if kw["radius"] is not None else np.zeros(n, np.float32), kw["link_factor"])
    assert len(np.unique(expected[mask])) > 5 and np.any(np.bincount(np.unique(expected[mask], return_inverse=True)[1]) > 5)
    np.testing.assert_array_equal(got, expected)


def test_labels_do_not_depend_on_row_order(backend):
    n = 800 if backend.name == "cpu" else 100
    box = 50.0 if backend.name == "cpu" else 25.0
    pos, radius, uid, mask = random_agents(n, box, seed=11)
    base = label(backend, pos, uid, mask=mask, radius=radius, link_factor=1.2, box=box)
    perm = np.random.default_rng(1).permutation(n)
    shuffled = label(backend, pos[perm], uid[perm], mask=mask[perm], radius=radius[perm], link_factor=1.2, box=box)
    np.testing.assert_array_equal(shuffled, base[perm])


def test_masked_out_agents_do_not_bridge(backend):
    """A chain a–b–c linked only through b: b out of the mask splits it."""
    pos = np.array([[10, 10, 10], [13, 10, 10], [16, 10, 10], [40, 40, 40]], np.float32)
    uid = np.array([7, 2, 5, 1], np.int64)
    mask = np.array([True, False, True, True])
    assert np.array_equal(label(backend, pos, uid, link_distance=3.5), [2, 2, 2, 1])
    assert np.array_equal(label(backend, pos, uid, mask=mask, link_distance=3.5), [7, -1, 5, 1])


def test_backends_agree(cpu, cuda):
    pos, radius, uid, mask = random_agents(150, 30.0, seed=5)
    a = label(cpu, pos, uid, mask=mask, radius=radius, link_factor=1.2, box=30.0)
    b = label(cuda, pos, uid, mask=mask, radius=radius, link_factor=1.2, box=30.0)
    np.testing.assert_array_equal(a, b)


def test_link_longer_than_the_cutoff_is_refused(cpu):
    pos = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match="exceeds the cell-list cutoff"):
        label(cpu, pos, np.arange(2), radius=np.full(2, 4.0, np.float32), link_factor=1.2, cutoff=8.0)
