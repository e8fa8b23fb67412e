"""``--backend cuda`` on a machine without a usable CuPy: one clear line on
stderr and exit status 2, from ``alveosim run`` and the benchmark suite
(``python -m alveosim.benchmarks.run``, which ``alveosim bench`` runs).

The commands run in a subprocess whose ``cupy`` is a stand-in package that
fails to import (so the check holds on a GPU machine with CuPy installed too)
and without Numba's CUDA simulator (which would otherwise stand in for a GPU).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_cupy_env(tmp_path):
    fake = tmp_path / "fake" / "cupy"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('cupy is not installed here')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_ENABLE_CUDASIM", "ALVEOSIM_TEST_GPU")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "fake"), str(ROOT)])
    return env


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "sim", "run", "configs/quickstart.yaml", "--backend", "cuda", "--no-progress"],
        ["-m", "alveosim.benchmarks.run", "--backend", "cuda", "--quick", "--only", "bench_blood"],
    ],
    ids=["run", "bench"],
)
def test_cuda_backend_without_cupy_fails_with_one_line(argv, no_cupy_env, tmp_path):
    out = ["--out", str(tmp_path / "out")] if argv[2] == "run" else ["--out", str(tmp_path / "suite.json")]
    proc = subprocess.run([sys.executable, *argv, *out], cwd=ROOT, env=no_cupy_env, capture_output=True, text=True, timeout=120)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(("alveosim: backend 'cuda' requested but ", "error: backend 'cuda' requested but ", "alveosim bench: backend 'cuda' requested but "))
    assert "use --backend cpu" in lines[0]
    assert not (tmp_path / "out").exists() and not (tmp_path / "suite.json").exists()
