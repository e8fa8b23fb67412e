"""Cell lists: radius queries equal a brute-force search on both backends."""

import numpy as np
import pytest

from alveosim.neighbours import CellList


def brute_force(pos, radius):
    d2 = ((pos[:, None, :].astype(np.float64) - pos[None, :, :]) ** 2).sum(-1)
    hits = (d2 < radius * radius) & ~np.eye(len(pos), dtype=bool)
    return [np.flatnonzero(row) for row in hits]


@pytest.mark.parametrize("n", [0, 1, 150])
def test_queries_match_brute_force(backend, n):
    rng = np.random.default_rng(n)
    box = np.array([40.0, 30.0, 20.0])
    pos = (rng.random((n, 3)) * box).astype(np.float32)
    radius = 6.0
    cells = CellList(backend, [0, 0, 0], box, cutoff=radius)
    dpos = backend.asarray(pos)
    cells.build(dpos, n)
    counts = backend.xp.zeros(n, dtype=np.int32)
    cells.count_within(dpos, radius, counts)
    offsets, idx = cells.neighbours_within(dpos, radius)
    expected = brute_force(pos, radius)
    assert np.array_equal(backend.to_host(counts), [len(e) for e in expected])
    offsets, idx = backend.to_host(offsets), backend.to_host(idx)
    for i in range(n):
        assert np.array_equal(np.sort(idx[offsets[i]:offsets[i + 1]]), expected[i])


def test_cell_order_is_deterministic_and_equal_across_backends(cpu, cuda):
    rng = np.random.default_rng(5)
    pos = (rng.random((120, 3)) * 25).astype(np.float32)
    orders = []
    for backend in (cpu, cuda):
        cells = CellList(backend, [0, 0, 0], [25, 25, 25], cutoff=5.0)
        cells.build(backend.asarray(pos), len(pos))
        orders.append((backend.to_host(cells.cell_start).copy(), backend.to_host(cells.order)[:120].copy()))
    assert np.array_equal(orders[0][0], orders[1][0])
    assert np.array_equal(orders[0][1], orders[1][1])


def test_agents_outside_the_box_are_clamped_into_edge_cells(cpu):
    pos = np.array([[-3.0, 5, 5], [104.0, 5, 5], [1.0, 5, 5]], dtype=np.float32)
    cells = CellList(cpu, [0, 0, 0], [100, 10, 10], cutoff=5.0)
    cells.build(pos, 3)
    counts = np.zeros(3, dtype=np.int32)
    cells.count_within(pos, 5.0, counts)
    assert list(counts) == [1, 0, 1]


def test_radius_larger_than_cutoff_rejected(cpu):
    cells = CellList(cpu, [0, 0, 0], [10, 10, 10], cutoff=2.0)
    cells.build(np.zeros((1, 3), np.float32), 1)
    with pytest.raises(ValueError, match="exceeds the cell-list cutoff"):
        cells.count_within(np.zeros((1, 3), np.float32), 3.0, np.zeros(1, np.int32))
