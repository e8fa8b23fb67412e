"""A blood step on the cuda backend reads nothing from the device except at
its host points (logging steps): pool counts, births, removals, the ledger
and joins stay on the device (``bench_blood.STEP_SYNCS`` is empty). Counted
in the CUDA simulator (or on a GPU with ALVEOSIM_TEST_GPU=1) by the counting
array module, with the kernel launches and array operations of each step."""

from alveosim.benchmarks.bench_blood import STEP_SYNCS, step_profile


def test_blood_steps_between_logging_steps_never_sync():
    profile = step_profile(n_agents=400, steps=7, log_every=3)
    assert STEP_SYNCS == {}
    assert profile["steps"] == 5 and len(profile["logging"]) == 2  # steps 3 and 6 log
    assert not profile["sites"], f"syncs outside logging steps: {profile['sites']}"
    assert all(syncs == 0 for syncs, _, _ in profile["samples"])
    assert profile["syncs_per_step_max"] == 0
    # every step launches the same device work: births, moves, binding, activation, joins
    launches = {launches for _, launches, _ in profile["samples"]}
    assert len(launches) == 1 and launches.pop() >= 10
    # fused passes: one removal tally and one compaction per pool (the EVs that
    # left the blood and the bound ones together), each a survivor scan and one
    # gather launch per field, the ledger counted by the tallies; a second EV
    # compaction, or masks and counts as array operations, would pass these
    assert profile["launches_per_step"] <= 29
    assert 0 < profile["array_ops_per_step"] <= 30
    # the logging steps read the device (pool sizes, ledger, clot report, labels)
    assert all(syncs > 0 for syncs, _, _ in profile["logging"])
