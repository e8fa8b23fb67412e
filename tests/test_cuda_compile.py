"""Every CUDA kernel compiles for a real GPU (sm_90, and sm_80 in the slow
pass) and ptxas assembles it, with the argument types the simulation passes.

The rest of the suite runs the CUDA launchers in Numba's simulator, which
never compiles; so this test compiles each kernel in a subprocess without
``NUMBA_ENABLE_CUDASIM`` (no GPU needed, see kernels/cuda/compile_check.py).
Registers, local memory and spills from ``ptxas -v`` are printed per kernel.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alveosim.kernels import rng
from alveosim.kernels.cuda.compile_check import _HERE, declared_kernels, launcher_modules, per_item_names
from alveosim.kernels.cuda.signatures import PATH as SIGNATURES

ROOT = Path(__file__).resolve().parents[1]
DECLARED = declared_kernels()
ARCHS = [pytest.param("9.0", id="sm_90"), pytest.param("8.0", id="sm_80", marks=pytest.mark.slow)]
_reports: dict[str, dict] = {}


def compile_report(cc: str, tmp_path_factory) -> dict:
    """The compile check's report for ``cc``, run once per session in a
    clean subprocess (the simulator off)."""
    if cc not in _reports:
        env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        out = tmp_path_factory.mktemp("compile") / f"sm{cc}.json"
        proc = subprocess.run(
            [sys.executable, "-m", "alveosim.kernels.cuda.compile_check", "--cc", cc, "--json", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )
        print(proc.stdout)
        assert out.is_file(), f"compile check crashed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        _reports[cc] = json.loads(out.read_text())
    return _reports[cc]


def test_every_launcher_module_is_searched():
    files = sorted(p.stem for p in _HERE.glob("*.py") if p.stem != "__init__")
    tools = {"launch", "compile_check", "signatures"}
    assert launcher_modules() == [f for f in files if f not in tools]


def test_declared_kernels_match_decorator_count():
    """A kernel the AST walk misses (other decorator spelling) fails here:
    hand-written ``@cuda.jit`` kernels plus one per ``@per_item`` rule."""
    written = sum(len(re.findall(r"^@cuda\.jit\b(?!\(device=True)", (_HERE / f"{m}.py").read_text(), re.M)) for m in launcher_modules())
    rules = sum(len(re.findall(r"^@per_item\(", (_HERE.parent / "rules" / f"{m}.py").read_text(), re.M)) for m in launcher_modules())
    assert len(DECLARED) == written + rules and written + rules >= 47
    assert len(per_item_names((_HERE.parent / "rules" / "alveolar.py").read_text())) == 4


def test_every_kernel_has_recorded_argument_types():
    recorded = json.loads(SIGNATURES.read_text())
    assert sorted(recorded) == DECLARED, "rerun: python -m alveosim.kernels.cuda.signatures"
    assert all(len(sigs) >= 1 for sigs in recorded.values())


@pytest.mark.parametrize("cc", ARCHS)
def test_compiled_kernels_are_the_declared_ones(cc, tmp_path_factory):
    """Import-time discovery compiles exactly the kernels in the source."""
    assert sorted(compile_report(cc, tmp_path_factory)["kernels"]) == DECLARED


@pytest.mark.parametrize("cc", ARCHS)
@pytest.mark.parametrize("kernel", DECLARED)
def test_kernel_compiles_and_assembles(kernel, cc, tmp_path_factory):
    result = compile_report(cc, tmp_path_factory)["kernels"].get(kernel)
    assert result is not None, f"{kernel} was not compiled"
    if "error" in result:
        print(result["error"])
        pytest.fail(f"{kernel} does not compile for sm_{cc.replace('.', '')}: {result['error'].splitlines()[0]}")
    assert result["registers"] > 0


def test_explicit_stencil_has_no_int64_division(tmp_path_factory):
    """The stencil's 3-D launch finds its voxel without dividing (64-bit
    integer division costs tens of instructions per voxel)."""
    assert compile_report("9.0", tmp_path_factory)["kernels"]["diffusion._stencil_step"]["int64_divisions"] == 0


ZIGGURAT_TABLE_BYTES = rng.ZIG_W.nbytes  # each of ZIG_W, ZIG_K, ZIG_F: 256 × 8 B


def test_ziggurat_tables_are_read_from_global_memory(tmp_path_factory):
    """No kernel keeps a ziggurat table in constant memory (its reads would
    serialise across a warp's different layers); kernels that draw normals
    carry them as initialised .global arrays."""
    kernels = compile_report("9.0", tmp_path_factory)["kernels"]
    assert all(ZIGGURAT_TABLE_BYTES not in r["const_arrays"] for r in kernels.values())
    for name in ("draws._fill_normal", "walker._random_walk", "alveolar._move"):
        assert ZIGGURAT_TABLE_BYTES in kernels[name]["global_arrays"], name
