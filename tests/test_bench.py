"""The benchmark suite runner writes well-formed JSON and compares results;
``alveosim bench`` parses the suite's options itself."""

import json
import subprocess
import sys

from alveosim.benchmarks.run import compare, main


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "sim", "bench", *args], capture_output=True, text=True, timeout=300)


def test_bench_cli_help_lists_the_suite_options():
    done = _cli("--help")
    assert done.returncode == 0, done.stderr
    for option in ("--backend", "--quick", "--only", "--compare", "--out"):
        assert option in done.stdout
    bad = _cli("--only", "bench_nothing")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_suite_writes_rows_with_throughput_and_roofline(tmp_path):
    out = tmp_path / "suite.json"
    done = _cli("--backend", "cpu", "--quick", "--only", "bench_agents", "--out", str(out))
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    assert doc["machine"]["backend"] == "cpu" and doc["machine"]["cpu_threads"] >= 1
    kernels = {r["kernel"] for r in doc["rows"]}
    assert kernels == {"move_and_draw", "cell_list_build"}
    for row in doc["rows"]:
        assert row["agent_updates_per_s"] > 0
        assert 0 < row["roofline_fraction"] and row["copy_bandwidth_GBps"] > 0
    move = next(r for r in doc["rows"] if r["kernel"] == "move_and_draw")
    assert move["numpy_bit_identical"] is True  # the NumPy baseline does the same work
    ratios = compare(doc["rows"], out)
    assert len(ratios) == 2 and all(abs(r["ratio_vs_base"] - 1.0) < 1e-12 for r in ratios)


def test_suite_runs_the_host_only_render_benchmark(tmp_path):
    import pytest

    pytest.importorskip("pyvista")  # the render extra; CI installs it
    out = tmp_path / "suite.json"
    assert main(["--quick", "--only", "bench_render", "--out", str(out)]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert [r["kernel"] for r in rows] == ["render_frame"]
    assert rows[0]["seconds"] > 0 and rows[0]["agent_updates_per_s"] > 0
