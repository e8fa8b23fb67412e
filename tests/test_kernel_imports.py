"""kernels/ is the ground floor: importing a kernel module loads only
``alveosim.kernels`` (and numba), never the simulation, its config models
(pydantic) or units (pint)."""

import json
import subprocess
import sys
from pathlib import Path

KERNELS = Path(__file__).resolve().parent.parent / "kernels"
MODULES = ["alveosim.kernels.labels", "alveosim.kernels.states"] + [
    f"alveosim.kernels.rules.{p.stem}" for p in sorted((KERNELS / "rules").glob("*.py")) if p.stem != "__init__"
]

# imports each module in turn in a fresh interpreter; prints, per module, the
# forbidden modules that appeared with it
PROBE = """
import importlib, json, sys

def forbidden():
    return {m for m in sys.modules
            if (m.startswith("alveosim.") and not m.startswith("alveosim.kernels"))
            or m.split(".")[0] in ("pydantic", "pint")}

out = {}
for name in sys.argv[1:]:
    before = forbidden()
    importlib.import_module(name)
    out[name] = sorted(forbidden() - before)
print(json.dumps(out))
"""


def test_kernel_modules_import_nothing_above_kernels():
    assert {"alveosim.kernels.rules.blood", "alveosim.kernels.rules.tumour", "alveosim.kernels.rules.voxels"} <= set(MODULES)
    proc = subprocess.run([sys.executable, "-c", PROBE, *MODULES], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = json.loads(proc.stdout)
    assert list(loaded) == MODULES
    assert {name: extra for name, extra in loaded.items() if extra} == {}
