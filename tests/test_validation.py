"""The scenario validations (slow; run in CI): the thrombosis trends of
docs/model.md (reduced size) and the claims of the early-NSCLC niche and of
CXCL13-secreting lung metastases hold with margins beyond seed-to-seed
spread."""

import pytest

from alveosim.benchmarks import validate_niche, validate_scenarios


@pytest.mark.slow
def test_scenario_trends_hold_at_reduced_size():
    summaries, result = validate_scenarios.validate(seeds=2, reduced=True, backend="cpu")
    assert set(validate_scenarios.OPEN) <= set(result)  # open claims are still computed and reported
    failed = validate_scenarios.failed(result, validate_scenarios.OPEN)
    assert not failed, f"claims that do not hold: {failed}"


@pytest.mark.slow
def test_niche_claims_hold():
    summaries, result = validate_niche.validate(seeds=2, reduced=True, backend="cpu")
    assert set(validate_niche.OPEN) <= set(result)
    failed = validate_scenarios.failed(result, validate_niche.OPEN)
    assert not failed, f"claims that do not hold: {failed}"
