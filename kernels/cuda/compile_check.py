"""Compile every CUDA kernel for a real GPU without one.

Numba's CUDA simulator runs kernels as Python and never compiles them, so a
kernel that does not type or compile for a device passes every simulator
test. This module compiles each ``@cuda.jit`` kernel of the launcher modules
in ``kernels/cuda`` to PTX for a compute capability (NVVM, via numba-cuda's
``compile_ptx``) with the argument types the simulation passes (recorded
from real launches, see :mod:`alveosim.kernels.cuda.signatures`), assembles the PTX
with ``ptxas -v`` and reports registers, spills and local memory per kernel.

No GPU or driver is needed: where numba-cuda asks for the current device
while compiling device functions, a stand-in with the target compute
capability answers. Run it in a process without ``NUMBA_ENABLE_CUDASIM``::

    python -m alveosim.kernels.cuda.compile_check --cc 9.0 --json out.json

Needs numba-cuda, NVVM and NVRTC (``nvidia-nvvm``, ``nvidia-cuda-nvrtc``)
and ``ptxas`` (``nvidia-cuda-nvcc``, or one on PATH).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

PACKAGE = "alveosim.kernels.cuda"
_HERE = Path(__file__).resolve().parent
# Modules of kernels/cuda that hold no kernels.
_NOT_LAUNCHERS = {"launch", "compile_check", "signatures"}


def launcher_modules() -> list[str]:
    """Names of every launcher module in kernels/cuda (all but the tools)."""
    return sorted(m.name for m in pkgutil.iter_modules([str(_HERE)]) if m.name not in _NOT_LAUNCHERS)


def declared_kernels() -> list[str]:
    """``module.function`` of every function decorated with ``cuda.jit`` (not
    ``device=True``) in the launcher modules' source and, for a module that
    builds its rules' launchers (``cuda_launchers``), ``module._name`` of
    every rule declared ``@per_item("name")`` in kernels/rules/<module>.py;
    found without importing them, so a kernel that import-time discovery
    misses is still counted."""
    found = []
    for module in launcher_modules():
        source = (_HERE / f"{module}.py").read_text()
        for node in _functions(source):
            for deco in node.decorator_list:
                text = ast.unparse(deco)
                if text.startswith("cuda.jit") and "device=True" not in text:
                    found.append(f"{module}.{node.name}")
        if "cuda_launchers(" in source:
            found += [f"{module}._{name}" for name in per_item_names((_HERE.parent / "rules" / f"{module}.py").read_text())]
    return sorted(found)


def _functions(source: str) -> list[ast.FunctionDef]:
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)]


def per_item_names(source: str) -> list[str]:
    """Launcher names of the rules declared ``@per_item("name", ...)`` in a
    rules module's source."""
    names = []
    for node in _functions(source):
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and ast.unparse(deco.func) == "per_item":
                names.append(ast.literal_eval(deco.args[0]))
    return names


def discover() -> dict[str, object]:
    """``module.name`` → dispatcher for every CUDA kernel defined in the
    launcher modules (imported; real numba-cuda, not the simulator)."""
    from numba.cuda.dispatcher import CUDADispatcher

    kernels = {}
    for module in launcher_modules():
        mod = importlib.import_module(f"{PACKAGE}.{module}")
        for name, obj in vars(mod).items():
            if isinstance(obj, CUDADispatcher) and obj.py_func.__module__ == mod.__name__:
                kernels[f"{module}.{name}"] = obj
    return dict(sorted(kernels.items()))


@contextlib.contextmanager
def stand_in_device(cc: tuple[int, int]):
    """Answer numba-cuda's ``get_current_device()`` with a device of compute
    capability ``cc`` while compiling (device functions ask for one)."""
    import numba.cuda.compiler as compiler
    import numba.cuda.dispatcher as dispatcher

    fake = types.SimpleNamespace(compute_capability=cc, id=0, name=b"stand-in")
    saved = dispatcher.get_current_device, compiler.get_current_device
    dispatcher.get_current_device = compiler.get_current_device = lambda: fake
    try:
        yield fake
    finally:
        dispatcher.get_current_device, compiler.get_current_device = saved


def ptxas_path() -> str:
    """The ptxas binary: the ``nvidia-cuda-nvcc`` wheel's, else one on PATH."""
    try:
        import nvidia

        for root in nvidia.__path__:
            for candidate in sorted(Path(root).glob("cu*/bin/ptxas")) + [Path(root) / "cuda_nvcc" / "bin" / "ptxas"]:
                if candidate.is_file():
                    return str(candidate)
    except ImportError:
        pass
    found = shutil.which("ptxas")
    if found is None:
        raise FileNotFoundError("ptxas not found: pip install nvidia-cuda-nvcc (or put CUDA's bin on PATH)")
    return found


_INFO = re.compile(
    r"(?P<stack>\d+) bytes stack frame, (?P<spill_stores>\d+) bytes spill stores, (?P<spill_loads>\d+) bytes spill loads"
)
_REGS = re.compile(r"Used (?P<registers>\d+) registers")
_DIV64 = re.compile(r"\b(?:div|rem)\.[su]64\b")  # 64-bit integer division: tens of instructions each
# Module-scope arrays of the PTX by state space: .const (constant memory) or .global.
_ARRAY = re.compile(r"^\.(?:visible |weak |common )?\.(?P<space>const|global) \.align \d+ \.b8 \S+\[(?P<bytes>\d+)\]", re.M)


def module_arrays(ptx: str) -> dict[str, list[int]]:
    """Sizes (bytes) of the byte arrays a PTX module declares in constant
    (``const``) and global (``global``) memory, sorted."""
    out = {"const": [], "global": []}
    for m in _ARRAY.finditer(ptx):
        out[m.group("space")].append(int(m.group("bytes")))
    return {k: sorted(v) for k, v in out.items()}


def assemble(ptx: str, cc: tuple[int, int], ptxas: str) -> dict:
    """Assemble PTX with ``ptxas -v`` for sm_<cc>; returns registers,
    stack frame (local memory, bytes) and spill stores/loads (bytes) of the
    kernel (the largest over the entry points, of which there is one).
    Raises RuntimeError with ptxas's message when it fails."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "kernel.ptx"
        src.write_text(ptx)
        proc = subprocess.run(
            [ptxas, f"-arch=sm_{cc[0]}{cc[1]}", "-v", "-o", str(Path(tmp) / "kernel.cubin"), str(src)],
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"ptxas failed: {proc.stderr.strip()[-2000:]}")
    out = {"registers": 0, "stack_bytes": 0, "spill_stores": 0, "spill_loads": 0}
    for m in _INFO.finditer(proc.stderr):
        for key, group in (("stack_bytes", "stack"), ("spill_stores", "spill_stores"), ("spill_loads", "spill_loads")):
            out[key] = max(out[key], int(m.group(group)))
    for m in _REGS.finditer(proc.stderr):
        out["registers"] = max(out["registers"], int(m.group("registers")))
    return out


def cache_dir() -> Path:
    """Where results are cached: ``$ALVEOSIM_COMPILE_CACHE``, else
    ``$XDG_CACHE_HOME/alveosim/cuda-compile`` (``~/.cache/...``)."""
    if os.environ.get("ALVEOSIM_COMPILE_CACHE"):
        return Path(os.environ["ALVEOSIM_COMPILE_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "alveosim" / "cuda-compile"


def source_key(cc: tuple[int, int], ptxas: str) -> str:
    """Hash of everything a kernel's compiled code depends on: all kernel
    sources (rules, RNG, launchers), the recorded signatures, the target,
    the numba and numba-cuda versions and the ptxas binary. Any change
    recompiles every kernel."""
    import numba
    import numba.cuda

    digest = hashlib.sha256(f"{cc} {numba.__version__} {getattr(numba.cuda, '__version__', '')}".encode())
    digest.update(Path(ptxas).read_bytes()[:1 << 20])
    root = _HERE.parent
    for path in sorted(root.rglob("*.py")) + [root / "cuda" / "signatures.json"]:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def compile_kernel(kernel, signatures: list[tuple], cc: tuple[int, int], ptxas: str) -> dict:
    """Compile one kernel for every recorded argument-type tuple to PTX for
    ``cc`` and assemble it; returns the worst ptxas figures over the tuples
    (and the number of 64-bit integer div/rem instructions in the PTX), the
    sizes of its constant- and global-memory arrays (``const_arrays``,
    ``global_arrays``, bytes, over all tuples) and the compile time (s).
    Raises on any typing, NVVM or ptxas error."""
    from numba import cuda

    if not signatures:
        raise LookupError("no recorded argument types (python -m alveosim.kernels.cuda.signatures)")
    start = time.perf_counter()
    worst = {}
    arrays = {"const": set(), "global": set()}
    with stand_in_device(cc):
        for sig in signatures:
            ptx, _ = cuda.compile_ptx(kernel.py_func, sig, cc=cc)
            figures = assemble(ptx, cc, ptxas)
            figures["int64_divisions"] = len(_DIV64.findall(ptx))
            for key, value in figures.items():
                worst[key] = max(worst.get(key, 0), value)
            for space, sizes in module_arrays(ptx).items():
                arrays[space].update(sizes)
    worst["const_arrays"] = sorted(arrays["const"])
    worst["global_arrays"] = sorted(arrays["global"])
    worst["seconds"] = round(time.perf_counter() - start, 2)
    return worst


def check(cc: tuple[int, int], only: list[str] | None = None) -> dict:
    """Compile and assemble every kernel (or those in ``only``) for ``cc``.
    Returns {"cc", "declared", "kernels": {name: figures or {"error": ...}}}."""
    if os.environ.get("NUMBA_ENABLE_CUDASIM", "0") == "1":
        raise RuntimeError("the CUDA simulator is on (NUMBA_ENABLE_CUDASIM=1): nothing would compile")
    from alveosim.kernels.cuda.signatures import load_signatures

    ptxas = ptxas_path()
    signatures = load_signatures()
    kernels = discover()
    result = {"cc": f"{cc[0]}.{cc[1]}", "declared": declared_kernels(), "kernels": {}}
    cached = cache_dir() / f"{source_key(cc, ptxas)}.json"
    done = json.loads(cached.read_text()) if cached.is_file() else {}
    for name, kernel in kernels.items():
        if only and name not in only:
            continue
        if name in done:
            result["kernels"][name] = done[name]
            continue
        try:
            result["kernels"][name] = done[name] = compile_kernel(kernel, signatures.get(name, []), cc, ptxas)
        except Exception as exc:  # reported per kernel; the test fails naming it
            result["kernels"][name] = {"error": f"{type(exc).__name__}: {exc}".strip()[:4000]}
    if done:  # successes only: a failure is retried (and reported) every run
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(done))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cc", default="9.0", help="compute capability, e.g. 9.0 or 8.0")
    parser.add_argument("--json", type=Path, help="write the per-kernel report here")
    parser.add_argument("--only", nargs="*", help="module.kernel names to check (default: all)")
    args = parser.parse_args(argv)
    cc = tuple(int(p) for p in args.cc.split("."))
    result = check(cc, args.only)
    failed = [name for name, r in result["kernels"].items() if "error" in r]
    for name, r in result["kernels"].items():
        if "error" in r:
            print(f"FAIL sm_{cc[0]}{cc[1]} {name}: {r['error'].splitlines()[0]}")
        else:
            print(
                f"ok   sm_{cc[0]}{cc[1]} {name}: {r['registers']} registers, {r['stack_bytes']} B local, "
                f"{r['spill_stores']}/{r['spill_loads']} B spill stores/loads, "
                f"arrays {r['const_arrays']} B .const {r['global_arrays']} B .global, {r['seconds']} s"
            )
    print(f"{len(result['kernels']) - len(failed)} of {len(result['kernels'])} kernels compile and assemble for sm_{cc[0]}{cc[1]}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
