"""Agent pools: births, deaths and growth keep every agent, uids unique."""

import numpy as np
import pytest

from alveosim.pools import AgentPool, PoolCapacityError
from alveosim.species import Species

THING = Species("thing", fields={"pos": ("f4", (3,)), "tag": ("i4", ())})


def make_pool(backend, n=10, capacity=16):
    pool = AgentPool(THING, capacity, backend)
    pool.add({"pos": np.arange(3 * n, dtype=np.float32).reshape(n, 3), "tag": np.arange(n, dtype=np.int32)})
    return pool


def test_add_assigns_consecutive_unique_uids(backend):
    pool = make_pool(backend)
    host = pool.to_host()
    assert np.array_equal(host["uid"], np.arange(10))
    assert np.array_equal(host["tag"], np.arange(10))


def test_births_copy_parents_into_deterministic_slots_and_grow(backend):
    pool = make_pool(backend, n=10, capacity=12)
    children = backend.asarray(np.array([0, 2, 0, 1, 0, 0, 3, 0, 0, 1], dtype=np.int32))
    first, total, parent = pool.spawn(children)
    assert (first, total) == (10, 7)
    assert pool.capacity >= 17 and pool.n == 17
    host = pool.to_host()
    assert np.array_equal(backend.to_host(parent), [1, 1, 3, 6, 6, 6, 9])
    assert np.array_equal(host["tag"][10:], [1, 1, 3, 6, 6, 6, 9])  # fields copied from the parent
    assert np.array_equal(host["uid"], np.arange(17))  # fresh uids, parent order
    assert pool.next_uid == 17


def test_deaths_compact_in_order(backend):
    pool = make_pool(backend)
    dead = backend.asarray(np.array([1, 0, 0, 1, 1, 0, 0, 0, 1, 0], dtype=bool))
    assert pool.remove(dead) == 4
    host = pool.to_host()
    assert np.array_equal(host["tag"], [1, 2, 5, 6, 7, 9])
    assert np.array_equal(host["uid"], [1, 2, 5, 6, 7, 9])


def test_many_generations_keep_every_agent(cpu):
    """Ledger: live = initial + births - deaths, uids unique, across growth."""
    pool = make_pool(cpu, n=50, capacity=64)
    rng = np.random.default_rng(1)
    births = deaths = 0
    for _ in range(30):
        kids = rng.integers(0, 3, pool.n).astype(np.int32)
        _, total, _ = pool.spawn(kids)
        births += total
        deaths += pool.remove(rng.random(pool.n) < 0.3)
        uid = pool.to_host()["uid"]
        assert len(np.unique(uid)) == pool.n
        assert pool.n == 50 + births - deaths
    assert pool.next_uid == 50 + births
    assert pool.capacity >= pool.n


def test_allocation_failure_names_species_and_sizes(cpu):
    with pytest.raises(PoolCapacityError, match=r"species 'thing'.*agents"):
        AgentPool(THING, 2**62, cpu)


def test_add_rejects_unknown_fields(cpu):
    pool = AgentPool(THING, 4, cpu)
    with pytest.raises(KeyError, match="unknown fields"):
        pool.add({"velocity": np.zeros((2, 3))})


def test_device_counted_compaction_keeps_order_and_zeroes_the_rest(backend):
    """A pool counting on the device removes agents without the host knowing
    how many; the host reads the count only when asked."""
    pool = make_pool(backend, n=10, capacity=16)
    pool.count_on_device()
    dead = np.zeros(16, dtype=bool)
    dead[[0, 3, 4, 8, 12]] = True  # row 12 is past the live agents: ignored
    removed = pool.compact(backend.asarray(dead))
    assert pool._stale  # nothing read yet
    assert backend.to_host(removed).tolist() == [4] and pool.n == 6
    rows = {name: backend.to_host(arr) for name, arr in pool.arrays.items()}
    assert np.array_equal(rows["tag"][:6], [1, 2, 5, 6, 7, 9]) and np.array_equal(rows["uid"][:6], [1, 2, 5, 6, 7, 9])
    assert not rows["tag"][6:].any() and not rows["pos"][6:].any()  # rows past the live ones are zero
    pool.add({"pos": np.ones((2, 3), np.float32)})
    assert pool.n == 8 and backend.to_host(pool.counter).tolist() == [8, 12, 0]


def test_births_lost_to_a_full_device_pool_are_an_error(cpu):
    pool = make_pool(cpu, n=10, capacity=10)
    pool.count_on_device()
    pool.counter[2] += 3  # as the births kernel records births that found no free row
    pool.device_changed()
    with pytest.raises(PoolCapacityError, match="3 births did not fit"):
        pool.n
