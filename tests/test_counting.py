"""The counting array module counts exactly the device→host syncs, kernel
launches and array operations that CuPy and Numba would perform."""

import numpy as np
import pytest

from alveosim.benchmarks.counting import CountingBackend


@pytest.fixture
def be():
    with CountingBackend() as backend:
        yield backend


def test_device_scalars_and_reductions_stay_on_the_device_until_read(be):
    xp = be.xp
    a = xp.arange(10, dtype=np.int64)
    total = (a * 2).sum()  # 0-d device array, as CuPy returns
    assert be.counts.syncs == 0 and be.counts.ops == 3
    assert int(total) == 90 and be.counts.syncs == 1
    assert float(a[3]) == 3.0 and bool(a[1]) and be.counts.syncs == 3
    assert be.scalar(xp.count_nonzero(a > 4)) == 5 and be.counts.syncs == 4
    assert np.asarray(a).tolist() == list(range(10)) and be.counts.syncs == 5  # implicit __array__
    assert a.get().shape == (10,) and be.counts.syncs == 6


def test_data_dependent_shapes_are_syncs_and_views_are_free(be):
    xp = be.xp
    a = xp.arange(12, dtype=np.float32).reshape(3, 4)
    assert be.counts.snapshot() == (0, 0, 1)  # arange; the reshape is a view
    a[:, 1] = 0.0
    assert be.counts.snapshot() == (0, 0, 2)
    kept = a.ravel()[a.ravel() > 5]
    assert be.counts.syncs == 1 and kept.shape == (5,)  # 6, 7, 8, 10, 11
    xp.flatnonzero(a.ravel())
    a[a > 100] = 1.0
    assert be.counts.syncs == 3
    assert dict(be.counts.sites).keys() and all("test_counting.py" in site for site in be.counts.sites)


def test_kernel_launches_are_counted_with_device_arrays_unwrapped(be):
    from alveosim.kernels.cuda.blood import count_bound

    xp = be.xp
    target = be.asarray(np.array([0, 2, -1, 2], dtype=np.int64))
    n_bound = xp.zeros(3, dtype=np.int32)
    live = be.asarray(np.array([4], dtype=np.int64))
    before = be.counts.snapshot()
    count_bound(4, live, target, n_bound)
    assert be.counts.launches - before[1] == 1 and be.counts.kernels["_count_bound"] == 1
    assert be.counts.syncs == before[0]
    assert be.to_host(n_bound).tolist() == [1, 0, 2]
