"""The counter-based RNG: statistics, independence of keys, and identical
draws on the CPU and CUDA (simulator) launchers."""

import numpy as np
import pytest

from tests.conftest import to_host


def draw(backend, kind, n, seed=7, stream=3, step=11, uid_offset=0):
    uid = backend.asarray(np.arange(uid_offset, uid_offset + n, dtype=np.int64))
    out = backend.xp.zeros((n, 4), dtype=np.float64)
    k = backend.kernels("draws")
    getattr(k, f"fill_{kind}")(n, seed, stream, step, uid, out)
    return to_host(backend, out)


def test_uniform_moments_and_chi_square(cpu):
    u = draw(cpu, "uniform", 50_000).ravel()
    assert np.all((u > 0) & (u < 1))
    n = u.size
    assert abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / n)
    assert abs(u.var() - 1 / 12) < 0.002
    counts, _ = np.histogram(u, bins=20, range=(0, 1))
    expected = n / 20
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 43.8  # 99.9th percentile of chi-square with 19 dof


def test_normal_moments(cpu):
    z = draw(cpu, "normal", 50_000).ravel()
    n = z.size
    assert abs(z.mean()) < 4 / np.sqrt(n)
    assert abs(z.var() - 1) < 0.02
    assert abs((z**3).mean()) < 0.05
    assert abs((z**4).mean() - 3) < 0.1
    # tail mass beyond 2 sigma: 4.55%
    assert abs(np.mean(np.abs(z) > 2) - 0.0455) < 0.004


def test_lanes_uncorrelated(cpu):
    u = draw(cpu, "uniform", 50_000)
    c = np.corrcoef(u.T)
    assert np.all(np.abs(c - np.eye(4)) < 0.03)


@pytest.mark.parametrize(
    "other",
    [dict(seed=8), dict(stream=4), dict(step=12), dict(uid_offset=1000)],
    ids=["seed", "stream", "step", "uid"],
)
def test_each_key_component_changes_the_draws(cpu, other):
    a = draw(cpu, "uniform", 200)
    b = draw(cpu, "uniform", 200, **other)
    assert not np.any(a == b)


def test_same_key_same_draws(cpu):
    assert np.array_equal(draw(cpu, "uniform", 100), draw(cpu, "uniform", 100))


def test_large_seed_and_uid_supported(cpu):
    a = draw(cpu, "uniform", 8, seed=2**62 + 5, uid_offset=2**40)
    b = draw(cpu, "uniform", 8, seed=5, uid_offset=2**40)
    assert np.all((a > 0) & (a < 1)) and not np.any(a == b)


@pytest.mark.parametrize("kind", ["uniform", "normal"])
def test_cpu_and_cuda_draw_identically(cpu, cuda, kind):
    a = draw(cpu, kind, 64)
    b = draw(cuda, kind, 64)
    if kind == "uniform":
        assert np.array_equal(a, b)
    else:  # libm may differ by an ulp on a real GPU
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-14)
