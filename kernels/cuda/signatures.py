"""Argument types of the CUDA kernels as the simulation really launches them.

``signatures.json`` beside this module maps ``module.kernel`` (as in
:func:`alveosim.kernels.cuda.compile_check.discover`) to the distinct argument-type
tuples seen at launch, each argument a small JSON spec of its Numba type
(``numba.typeof`` of the real argument):

* ``{"array": dtype, "ndim": int, "layout": "C" | "F" | "A"}``
* ``{"scalar": type}`` (``int64``, ``uint64``, ``float64``, ``bool`` …)
* ``{"tuple": [spec, ...]}``

They are recorded by running the CUDA-simulator tests of the kernel areas
with every kernel launch intercepted (the simulator passes the arrays the
simulation built, NumPy on the host)::

    python -m alveosim.kernels.cuda.signatures          # rewrites signatures.json

Rerun it after changing a kernel's arguments; the compile check fails for a
kernel with no recorded types.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

PATH = Path(__file__).with_name("signatures.json")

# Simulator tests whose launches cover every kernel (-k selects the CUDA side
# of the backend-parametrised tests and the CUDA-only ones).
RECORDING_TESTS = [
    "tests/test_alveolar.py",
    "tests/test_blood_aggregation.py",
    "tests/test_blood_binding.py",
    "tests/test_blood_clots.py",
    "tests/test_blood_ctc.py",
    "tests/test_blood_haemostasis.py",
    "tests/test_blood_platelets.py",
    "tests/test_blood_transport.py",
    "tests/test_clusters.py",
    "tests/test_diffusion.py",
    "tests/test_flow.py",
    "tests/test_lattice.py",
    "tests/test_macrophages.py",
    "tests/test_neighbours.py",
    "tests/test_rng.py",
    "tests/test_sources.py",
    "tests/test_tumour_lifecycle.py",
    "tests/test_tumour_mechanics.py",
    "tests/test_simulation.py",
]


def spec_of(numba_type) -> dict:
    """JSON spec of a Numba type (arrays, scalars, homogeneous or not tuples)."""
    from numba.core import types

    if isinstance(numba_type, types.Array):
        return {"array": str(numba_type.dtype), "ndim": numba_type.ndim, "layout": numba_type.layout}
    if isinstance(numba_type, types.BaseTuple):
        return {"tuple": [spec_of(t) for t in numba_type.types]}
    if isinstance(numba_type, (types.Integer, types.Float, types.Boolean)):
        return {"scalar": str(numba_type)}
    raise TypeError(f"no spec for argument type {numba_type}")


def type_of(spec: dict):
    """The Numba type of a JSON spec (inverse of :func:`spec_of`)."""
    from numba.core import types

    if "array" in spec:
        return types.Array(getattr(types, spec["array"]), spec["ndim"], spec["layout"])
    if "tuple" in spec:
        return types.Tuple([type_of(s) for s in spec["tuple"]])
    name = spec["scalar"]
    return types.boolean if name == "bool" else getattr(types, name)


def load_signatures(path: Path = PATH) -> dict[str, list[tuple]]:
    """``module.kernel`` → list of argument-type tuples (Numba types)."""
    raw = json.loads(path.read_text())
    return {name: [tuple(type_of(s) for s in sig) for sig in sigs] for name, sigs in raw.items()}


class Recorder:
    """pytest plugin: records ``numba.typeof`` of every simulator kernel
    launch's arguments as JSON specs, by kernel."""

    def __init__(self):
        self.seen: dict[str, set[str]] = {}

    def pytest_configure(self, config):
        import numba
        from numba.cuda.simulator import kernel as sim

        original = sim.FakeCUDAKernel.__call__
        seen = self.seen

        def call(kernel, *args):
            if not (kernel._device or sim._kernel_context):
                module = kernel.fn.__module__.rsplit(".", 1)[-1]
                sig = json.dumps([spec_of(numba.typeof(a)) for a in args])
                seen.setdefault(f"{module}.{kernel.fn.__name__}", set()).add(sig)
            return original(kernel, *args)

        sim.FakeCUDAKernel.__call__ = call


def record(extra_args: list[str] | None = None) -> dict[str, list]:
    """Run the recording tests under the simulator; returns the signatures."""
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    import pytest

    recorder = Recorder()
    code = pytest.main(["-q", "-x", "-p", "no:cacheprovider", "-m", "not slow", "-k", "cuda or backend", *RECORDING_TESTS, *(extra_args or [])], plugins=[recorder])
    if code != 0:
        raise SystemExit(f"recording tests failed (exit {code})")
    return {name: [json.loads(s) for s in sorted(sigs)] for name, sigs in sorted(recorder.seen.items())}


def dump(signatures: dict[str, list]) -> str:
    """signatures.json's text: one argument-type tuple per line."""
    blocks = []
    for name, sigs in sorted(signatures.items()):
        lines = ",\n".join("  " + json.dumps(sig) for sig in sigs)
        blocks.append(f" {json.dumps(name)}: [\n{lines}\n ]")
    return "{\n" + ",\n".join(blocks) + "\n}\n"


def main() -> int:
    signatures = record(sys.argv[1:])
    PATH.write_text(dump(signatures))
    print(f"{sum(map(len, signatures.values()))} argument-type tuples of {len(signatures)} kernels written to {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
