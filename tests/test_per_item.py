"""Launchers built from one ``per_item`` declaration (kernels/per_item.py):
both backends' launcher modules expose the same names with the same
parameters, generated kernels spell their parameters out (numba-cuda rejects
``*args`` kernels on a device), a generated launcher computes what the rule
does in a Python loop, and a second process loads it from Numba's cache."""

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import alveosim.kernels.rules as rules_package
from alveosim.kernels import per_item
from alveosim.kernels.cuda.compile_check import launcher_modules
from tests.conftest import to_host

ROOT = Path(__file__).resolve().parents[1]
TOPICS = [m for m in launcher_modules() if (ROOT / "kernels" / "cpu" / f"{m}.py").is_file()]
RULE_MODULES = [importlib.import_module(f"alveosim.kernels.rules.{m.name}") for m in pkgutil.iter_modules(rules_package.__path__)]
# topics whose launchers differ by design, each with the reason; their callers branch on the backend
BACKEND_SPECIFIC = {"pools": "compaction: the CPU moves live rows in place serially; CUDA flags survivors, scans, then gathers"}
DECLARED = [(module, rule) for module in RULE_MODULES for rule in per_item.declared(module)]


def launchers(module) -> dict[str, inspect.Signature]:
    """Public callables the launcher module defines itself → signature."""
    return {
        name: inspect.signature(obj)
        for name, obj in vars(module).items()
        if not name.startswith("_") and callable(obj) and getattr(obj, "__module__", None) == module.__name__
    }


@pytest.mark.parametrize("topic", [t for t in TOPICS if t not in BACKEND_SPECIFIC])
def test_cpu_and_cuda_modules_expose_the_same_launchers(topic):
    cpu = launchers(importlib.import_module(f"alveosim.kernels.cpu.{topic}"))
    cuda = launchers(importlib.import_module(f"alveosim.kernels.cuda.{topic}"))
    assert cpu and sorted(cpu) == sorted(cuda)
    for name in cpu:
        assert list(cpu[name].parameters) == list(cuda[name].parameters), name


def test_declarations_cover_the_converted_topics():
    names = {module.__name__.rsplit(".", 1)[-1] for module, _ in DECLARED}
    assert {"alveolar", "blood", "diffusion", "draws", "flow", "lattice", "macrophages", "neighbours", "sources", "tumour", "walker"} <= names


@pytest.mark.parametrize("module,rule", DECLARED, ids=[f"{m.__name__.rsplit('.', 1)[-1]}.{r.__name__}" for m, r in DECLARED])
def test_generated_launchers_spell_out_the_rule_parameters(module, rule):
    """CPU launcher and CUDA kernel take (n, rule's parameters but the index),
    each by name: no ``*args``, which a real device refuses."""
    topic = module.__name__.rsplit(".", 1)[-1]
    name = per_item.launcher_name(rule)
    _, others = per_item.launcher_parameters(rule)
    cpu = getattr(importlib.import_module(f"alveosim.kernels.cpu.{topic}"), name)
    kernel = getattr(importlib.import_module(f"alveosim.kernels.cuda.{topic}"), f"_{name}")
    for fn in (cpu.py_func, getattr(kernel, "py_func", None) or kernel.fn):
        params = inspect.signature(fn).parameters.values()
        assert all(p.kind == p.POSITIONAL_OR_KEYWORD for p in params)
        assert [p.name for p in params] == ["n", *others]


def test_per_item_refuses_rules_it_cannot_spell_out():
    def star(i, *args):
        pass

    def has_n(i, n):
        pass

    def shadows(i, cuda):
        pass

    for fn in (star, has_n, shadows):
        per_item.per_item("x")(fn)
        with pytest.raises(TypeError):
            per_item.launcher_parameters(fn)


def _python_loop(rule, n, args, index):
    for i in range(n):
        kwargs = dict(args)
        kwargs[index] = i
        rule(**kwargs)


CASES = {
    # rule's module, launcher, inputs (the last array is written)
    "draws.fill_normal": lambda: {"seed": 7, "stream": 3, "step": 11, "uid": np.arange(40, 80, dtype=np.int64), "out": np.zeros((40, 4))},
    "macrophages.reprogram": lambda: {
        "uid": np.arange(40, dtype=np.int64), "state": (np.arange(40) % 2).astype(np.uint8),
        "conc": np.linspace(0.0, 90.0, 40).astype(np.float32), "seed": 5, "stream": 9, "step": 2,
        "rate_dt": 1.5, "k_pow_n": 900.0, "n_hill": 2.0, "p_revert": 0.3,
    },
    "sources.sample": lambda: {
        "pos": np.random.default_rng(1).uniform(0.0, 10.0, (40, 3)).astype(np.float32),
        "c": np.arange(64, dtype=np.float32), "h": 2.5, "nx": 4, "ny": 4, "nz": 4, "out": np.zeros(40, np.float32),
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_launcher_equals_the_rule_in_a_python_loop(backend, case):
    topic, name = case.split(".")
    rules = importlib.import_module(f"alveosim.kernels.rules.{topic}")
    rule = next(r for r in per_item.declared(rules) if per_item.launcher_name(r) == name)
    index, others = per_item.launcher_parameters(rule)
    expected = CASES[case]()
    n = next(v.shape[0] for v in expected.values() if isinstance(v, np.ndarray))
    _python_loop(rule, n, expected, index)
    given = {k: backend.asarray(v) if isinstance(v, np.ndarray) else v for k, v in CASES[case]().items()}
    getattr(backend.kernels(topic), name)(n, *(given[p] for p in others))
    for key, value in expected.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(to_host(backend, given[key]), value, err_msg=key)


_CACHED_RUN = textwrap.dedent("""
    import numpy as np
    from alveosim.kernels.cpu import flow
    m, shape = 8, np.array([2, 2, 2], dtype=np.int64)
    nbr = np.zeros((m, 6), np.int32)
    flow.neighbours(m, np.arange(m, dtype=np.int64), np.arange(m, dtype=np.int32), shape, nbr)
    flow.laplacian(m, nbr, np.zeros(m, np.uint8), np.arange(m, dtype=np.float64), 0, np.zeros(m))
    for fn in (flow.neighbours, flow.laplacian):
        print(fn.__name__, sum(fn.stats.cache_hits.values()), sum(fn.stats.cache_misses.values()))
""")


def test_generated_launchers_load_from_numbas_cache_in_a_new_process(tmp_path):
    """The first process compiles and saves two launchers of one rules file,
    each under its own index; the second loads both without compiling."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    runs = [subprocess.run([sys.executable, "-c", _CACHED_RUN], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300) for _ in range(2)]
    first, second = ({line.split()[0]: line.split()[1:] for line in r.stdout.splitlines() if line} for r in runs)
    assert first == {"neighbours": ["0", "1"], "laplacian": ["0", "1"]}, runs[0].stderr[-2000:]
    assert second == {"neighbours": ["1", "0"], "laplacian": ["1", "0"]}, runs[1].stderr[-2000:]
    index = sorted(p.name.split("-")[0] for p in tmp_path.rglob("*.nbi"))
    assert index == ["flow.laplacian", "flow.neighbours"]


def test_a_live_bounded_launcher_acts_on_the_live_rows_only(backend):
    """``apply_join`` (declared ``live=True``) over 10 allocated rows with the
    device counter at 6: rows 6–9 are left as they were, on both backends."""
    from alveosim.kernels.states import ACTIVATED, AGGREGATED

    state = np.full(10, ACTIVATED, np.uint8)
    join, uid, aggregate = np.ones(10, np.uint8), np.arange(100, 110, dtype=np.int64), np.full(10, -1, np.int64)
    given = [backend.asarray(a) for a in (state, join, uid, aggregate)]
    backend.kernels("blood").apply_join(10, backend.asarray(np.array([6], np.int64)), *given)
    np.testing.assert_array_equal(to_host(backend, given[0]), [AGGREGATED] * 6 + [ACTIVATED] * 4)
    np.testing.assert_array_equal(to_host(backend, given[3]), list(range(100, 106)) + [-1] * 4)
