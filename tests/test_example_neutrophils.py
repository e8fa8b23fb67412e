"""The worked extension examples/neutrophils: a species added without
touching another feature, loaded from a config's ``extensions``, placed by
declaration between blood transport and aggregation, conserving its agents,
binding platelets only when it may, and the same on both backends."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alveosim.config import load_config
from alveosim.ordering import op_name
from alveosim.simulation import Simulation

CONFIG = Path(__file__).resolve().parent.parent / "examples" / "neutrophils" / "neutrophils.yaml"
SHORT = ["phases.0.duration=40 ms", "domain.size=[30 um, 30 um, 20 um]", "neutrophils.count=20", "neutrophils.binding_rate=2000 /s"]


def run(backend, overrides):
    sim = Simulation(load_config(CONFIG, overrides), backend=backend)
    sim.run(progress=False)
    return sim


def test_the_step_sits_between_transport_and_aggregation_and_conserves_neutrophils():
    sim = run("cpu", [])
    names = [op_name(op) for op in sim.operations]
    assert names.index("blood.transport") < names.index("neutrophils.step") < names.index("blood.aggregation")
    rows = sim.timeseries.rows
    assert len(rows) > 2
    for row in rows:  # every neutrophil is in the box or counted out
        assert row["neutrophil_count"] + row["neutrophil_outflow"] == 40
    assert rows[-1]["neutrophil_platelet_bonds"] > 0


def test_no_bonds_without_a_binding_rate():
    sim = run("cpu", ["neutrophils.binding_rate=0 /s"])
    assert all(row["neutrophil_platelet_bonds"] == 0 for row in sim.timeseries.rows)


@pytest.mark.slow
def test_cpu_and_cuda_agree():
    """Keyed random draws: the same moves, bonds and outflow on both backends
    (the CUDA simulator without a GPU)."""
    cpu, cuda = run("cpu", SHORT), run("cuda", SHORT)
    assert cpu.timeseries.rows[-1]["neutrophil_platelet_bonds"] > 0  # bonds to agree on
    a, b = cpu.state.pool("neutrophil"), cuda.state.pool("neutrophil")
    assert a.n == b.n
    order_a, order_b = np.argsort(a.live("uid")), np.argsort(cuda.backend.to_host(b.live("uid")))
    np.testing.assert_array_equal(a.live("n_bound")[order_a], cuda.backend.to_host(b.live("n_bound"))[order_b])
    np.testing.assert_allclose(a.live("pos")[order_a], cuda.backend.to_host(b.live("pos"))[order_b], atol=1e-4)
    assert cpu.timeseries.rows[-1]["neutrophil_platelet_bonds"] == cuda.timeseries.rows[-1]["neutrophil_platelet_bonds"]


# the launcher's argument types as the step passes them (n, live, then the rule's parameters but i)
KERNEL_TYPES = """
n, f4, i8, u1, i1, i4, f8 = typeof(1), np.float32, np.int64, np.uint8, np.int8, np.int32, np.float64
a = lambda shape, dtype: typeof(np.zeros(shape, dtype=dtype))
grid = a((2, 2, 2), u1)
types = (n, a(1, i8), a((4, 3), f4), a(4, i8), a(4, u1), n, n, n, typeof(1.0), typeof(1.0), typeof(1.0),
         grid, grid, a((2, 2, 2, 3), f4), a(4, i1), typeof(1.0), typeof(1.0),
         a((4, 3), f4), a(4, u1), a(4, f8), a(3, i8), a(4, i8), a(4, i8), a(4, i4))
"""


def test_the_kernel_compiles_and_assembles_for_sm_90():
    """Compiled to PTX for compute capability 9.0 and assembled by ptxas (no
    GPU needed), in a process without the CUDA simulator."""
    code = "\n".join([
        "import numpy as np",
        "from numba import typeof",
        "from alveosim.examples.neutrophils.feature import launchers",
        "from alveosim.kernels.cuda.compile_check import compile_kernel, ptxas_path",
        KERNEL_TYPES,
        "print(compile_kernel(launchers('cuda')._neutrophil_step, [types], (9, 0), ptxas_path()))",
    ])
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "'registers'" in done.stdout and "'spill_stores': 0" in done.stdout, done.stdout
