"""The issue-6 validation at reduced size (slow; run in CI): the scenario
trends of DESIGN §2.7 hold with margins beyond seed-to-seed spread."""

import pytest

from benchmarks.validate_scenarios import validate


@pytest.mark.slow
def test_scenario_trends_hold_at_reduced_size():
    summaries, result = validate(seeds=2, reduced=True, backend="cpu")
    failed = [claim for claim, ok in result.items() if not ok]
    assert not failed, f"claims that do not hold: {failed}"
