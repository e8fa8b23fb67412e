"""A blood step on the cuda backend reads from the device only for its host
decisions (the births; the agents leaving; the EVs bound with whether
platelets aggregated: one transfer each, ``bench_blood.STEP_SYNCS``); every other sync is an error
unless it is a logging step's or in a step where platelets aggregated (relabelling, occlusion). Counted in the CUDA simulator
(or on a GPU with ALVEOSIM_TEST_GPU=1) by the counting array module."""

from collections import Counter

from alveosim.benchmarks.bench_blood import STEP_SYNCS, step_profile


def test_blood_steps_sync_only_for_their_host_decisions():
    profile = step_profile(n_agents=400, steps=6, log_every=3)
    per_step = [Counter() for _ in range(profile["steps"])]
    for site, hits in profile["sites"].items():
        for step, count in hits:
            per_step[step - 1][site.split(":", 2)[0] + ":" + site.split(":", 2)[1]] += count
    for index, sites in enumerate(per_step):
        allowed = Counter(STEP_SYNCS)
        if profile["aggregated"][index]:
            continue  # relabelling and occlusion read the device in such steps
        extra = sites - allowed
        assert not extra, f"step {index + 1}: unexpected syncs {dict(extra)}"
    assert profile["syncs_per_step_max"] <= sum(STEP_SYNCS.values()) or any(profile["aggregated"])
    assert profile["launches_per_step"] > 0 and profile["array_ops_per_step"] > 0
    assert len(profile["logging"]) == 2  # the logging steps' own syncs are counted apart
