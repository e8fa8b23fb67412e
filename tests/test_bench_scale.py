"""bench_scale's growth exponents: the slope of log(cost) over log(voxels)."""

import pytest

from alveosim.benchmarks.bench_scale import growth_exponents


def test_growth_exponents_recover_power_laws():
    rows = []
    for n in (64, 128, 256):
        v = n**3
        rows.append({"kernel": "linear", "size": v, "seconds": 2e-7 * v, "peak_rss_bytes": 1e8})
        rows.append({"kernel": "superlinear", "size": v, "seconds": 1e-9 * v**1.5, "peak_rss_bytes": 1e8})
    k = growth_exponents(rows)
    assert k["linear"] == pytest.approx(1.0) and k["superlinear"] == pytest.approx(1.5)
    assert k["peak_rss_bytes"] == pytest.approx(0.0, abs=1e-12)
