"""The counter-based RNG: statistics, independence of keys, and identical
draws on the CPU and CUDA (simulator) launchers."""

import numpy as np
import pytest
from scipy import special, stats

from alveosim.kernels import rng
from alveosim.streams import Stream
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


@pytest.fixture(scope="module")
def million_normals():
    """4 x 250 000 normals from the CPU launcher (seed 7, stream 3, step 11)."""
    from alveosim.backend import select_backend

    return draw(select_backend("cpu"), "normal", 250_000).ravel()


def test_normal_moments_at_a_million(million_normals):
    z = million_normals
    n = z.size
    assert abs(z.mean()) < 4 / np.sqrt(n)
    assert abs(z.var() - 1) < 4 * np.sqrt(2 / n)
    assert abs(stats.skew(z)) < 4 * np.sqrt(6 / n)
    assert abs(stats.kurtosis(z)) < 4 * np.sqrt(24 / n)  # excess kurtosis 0


def test_normal_cdf_kolmogorov_smirnov_and_chi_square(million_normals):
    z = million_normals
    assert stats.kstest(z, "norm").pvalue > 1e-3
    # 200 equiprobable bins under N(0, 1): catches a wrong ziggurat layer
    edges = special.ndtri(np.linspace(0, 1, 201)[1:-1])
    counts = np.bincount(np.searchsorted(edges, z), minlength=200)
    expected = z.size / 200
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < stats.chi2.ppf(0.999, 199)


@pytest.mark.parametrize("k", [2.0, 3.0, rng.ZIG_R, 4.0, 4.5])
def test_normal_tail_frequencies(million_normals, k):
    """P(|z| > k) within 4.5 binomial sigma, including the ziggurat's tail
    sampler beyond R = 3.65 and its wedge rejections near the layer edges."""
    z = million_normals
    p = 2 * special.ndtr(-k)
    observed = np.count_nonzero(np.abs(z) > k)
    assert abs(observed - z.size * p) < 4.5 * np.sqrt(z.size * p * (1 - p)) + 1


def test_ziggurat_tables_have_equal_areas():
    """Every layer has area v (so choosing layers uniformly is exact): the
    base (rectangle to R plus tail), the top (x_1 (1 - f(x_1))) and each
    layer x_i (f(x_{i-1}) - f(x_i))."""
    x = rng.ZIG_W * 2.0**23
    f = rng.ZIG_F
    v = rng.ZIG_AREA
    assert abs(x[0] * f[-1] - v) < 1e-15
    areas = x[1:] * (f[:-1] - f[1:])
    np.testing.assert_allclose(areas, v, rtol=1e-10)
    assert np.isclose(v, rng.ZIG_R * np.exp(-0.5 * rng.ZIG_R**2) + np.sqrt(np.pi / 2) * special.erfc(rng.ZIG_R / np.sqrt(2)))


def test_fast_path_agrees_with_normal4_when_accepted(cpu):
    """normal4_fast (the branch-free pass CPU launchers vectorise) returns
    normal4's values whenever it reports ok, as often as the tables say
    (per word: mean of K / 2**23 ≈ 0.988)."""
    from numba import njit

    @njit
    def both(n, out_fast, ok, out):
        for i in range(n):
            a, b, c, d, good = rng.normal4_fast(7, 3, 11, i, 0)
            out_fast[i, 0], out_fast[i, 1], out_fast[i, 2], out_fast[i, 3] = a, b, c, d
            ok[i] = good
            out[i, 0], out[i, 1], out[i, 2], out[i, 3] = rng.normal4(7, 3, 11, i, 0)

    n = 20_000
    out_fast, out, ok = np.zeros((n, 4)), np.zeros((n, 4)), np.zeros(n, dtype=np.bool_)
    both(n, out_fast, ok, out)
    assert np.array_equal(out_fast[ok], out[ok])
    p_word = np.mean(rng.ZIG_K / 2.0**23)
    assert 0.98 < p_word < 0.99
    assert abs(ok.mean() - p_word**4) < 4 * np.sqrt(p_word**4 * (1 - p_word**4) / n)
    assert not np.array_equal(out_fast[~ok], out[~ok])


def test_stream_ids_leave_the_redraw_byte_free():
    """normal4 keys its rejection redraws by the stream field's upper byte."""
    assert all(0 <= int(s) < 256 for s in Stream)


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
    a = draw(cpu, kind, 256)
    b = draw(cuda, kind, 256)
    if kind == "normal":  # 1024 words: ~12 ziggurat rejections, here one in the tail beyond R
        assert np.any(np.abs(a) > rng.ZIG_R)
    if kind == "uniform":
        assert np.array_equal(a, b)
    else:  # libm may differ by an ulp on a real GPU
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-14)


def test_random_walk_two_pass_equals_the_rule_on_both_backends(cpu, cuda):
    """The CPU random_walk (vectorised fast pass + walk_one for rejected
    draws, chunks of WALK_CHUNK) moves every agent exactly as walk_one does
    in the CUDA simulator; 2500 agents span full and partial chunks."""
    n = 2500
    box = np.array([0, 0, 0, 50, 50, 50], dtype=np.float64)
    start = (np.random.default_rng(3).random((n, 3)) * 50).astype(np.float32)
    moved = []
    for backend in (cpu, cuda):
        pos = backend.asarray(start.copy())
        uid = backend.asarray(np.arange(10, 10 + n, dtype=np.int64))
        backend.kernels("walker").random_walk(n, pos, uid, 5, int(Stream.WALK), 9, 2.0, backend.asarray(box))
        moved.append(to_host(backend, pos))
    assert np.array_equal(moved[0], moved[1])
    assert not np.array_equal(moved[0], start)
