"""The prepared GPU check runs end to end in the CUDA simulator at tiny
sizes: every stage ok, CPU and CUDA agree, results in one folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alveosim.benchmarks.bench_blood import STEP_SYNCS

ROOT = Path(__file__).resolve().parents[1]


def test_help_names_every_stage(capsys):
    from alveosim.benchmarks.gpu_check import LIMITS, main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert all(stage in text for stage in LIMITS) and "--simulate" in text and "--wheels" in text


def test_simulated_gpu_check_writes_every_stage(tmp_path):
    out = tmp_path / "check"
    env = {k: v for k, v in os.environ.items() if k != "ALVEOSIM_TEST_GPU"}
    proc = subprocess.run([sys.executable, "benchmarks/gpu_check.py", "--simulate", "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((out / "gpu_check.json").read_text())
    assert report["simulate"] is True
    stages = report["stages"]
    assert stages["install"]["status"] == "skipped"
    assert {name: s["status"] for name, s in stages.items() if name != "install"} == dict.fromkeys(("tests", "bench", "agreement", "largest"), "ok")
    agreement = stages["agreement"]["result"]
    assert agreement["uniform_identical"] and agreement["normal_identical"] and agreement["ledger_identical"]
    assert agreement["ev_count"]["cpu"] == agreement["ev_count"]["cuda"] > 0
    assert agreement["ev_max_position_diff_um"] <= agreement["position_tolerance_um"]
    blood = json.loads(next((out / "bench").glob("bench_blood-cuda-*.json")).read_text())
    step_row = next(r for r in blood["rows"] if r["kernel"] == "blood_step")
    assert step_row["launches_per_step"] > 0 and step_row["array_ops_per_step"] > 0
    assert step_row["syncs_per_step_max"] == sum(STEP_SYNCS.values()) == 0
    assert stages["largest"]["result"]["largest_agents"] > 0
    log = (out / "gpu_check.log").read_text()
    assert all(f"===== {name}: ok" in log for name in ("tests", "bench", "agreement", "largest"))
