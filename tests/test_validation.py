"""The scenario validations (slow; run in CI): the trends of DESIGN §2.7
(issue 6, reduced size) and the claims of the early-NSCLC niche and of
CXCL13-secreting lung metastases (issue 7) hold with margins beyond
seed-to-seed spread."""

import pytest

from benchmarks import validate_niche, validate_scenarios


@pytest.mark.slow
def test_scenario_trends_hold_at_reduced_size():
    summaries, result = validate_scenarios.validate(seeds=2, reduced=True, backend="cpu")
    failed = [claim for claim, ok in result.items() if not ok]
    assert not failed, f"claims that do not hold: {failed}"


@pytest.mark.slow
def test_niche_claims_hold():
    summaries, result = validate_niche.validate(seeds=2, reduced=True, backend="cpu")
    failed = [claim for claim, ok in result.items() if not ok]
    assert not failed, f"claims that do not hold: {failed}"
