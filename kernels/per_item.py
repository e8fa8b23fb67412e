"""``per_item``: one declaration of a rule builds its CPU and CUDA launchers.

A per-item rule ``f_one(i, a, b, ...)`` acts on one item (agent, voxel,
seed) ``i``. Declaring it in ``kernels/rules/<topic>.py``::

    @per_item("f")
    @inlined_jitable()
    def f_one(i, a, b): ...

gives the launcher ``f(n, a, b)`` (the rule's parameters with the index
replaced by the item count ``n``) on both backends, built from the rule's
own signature when the launcher module of a backend is imported:

* ``kernels/cpu/<topic>.py``: ``@njit(parallel=True, cache=True)``,
  ``for i in prange(n): f_one(i, a, b)``;
* ``kernels/cuda/<topic>.py``: the kernel ``_f`` (``@cuda.jit(cache=True)``,
  ``i = cuda.grid(1); if i < n: f_one(i, a, b)``) and ``f = grid1d(_f)``.

The launchers are compiled from generated source with explicit parameter
lists (numba-cuda rejects ``*args`` kernels on a device). Their code objects
carry the rule's file and line, so Numba's on-disk cache keeps them in that
file's ``__pycache__`` under the launcher's own module and name
(``alveosim.kernels.cpu.<topic>.f``, ``alveosim.kernels.cuda.<topic>._f``)
and treats them as stale when the rule's file changes. Building the CPU
launchers never imports ``numba.cuda``.
"""

from __future__ import annotations

import inspect
from types import ModuleType

_ATTR = "__per_item__"
_RESERVED = {"n", "live", "rule", "prange", "range", "min", "cuda"}  # names the generated source uses itself

_CPU = """\
def {name}(n, {params}):
    for {index} in {loop}({bound}):
        rule({args})
"""

_CUDA = """\
def _{name}(n, {params}):
    {index} = cuda.grid(1)
    if {index} < n{live_check}:
        rule({args})
"""


def per_item(name: str, index: str | None = None, live: bool = False, serial_cpu: bool = False):
    """Decorator: declare ``rule`` as the body of the launcher ``name`` in
    its topic's CPU and CUDA launcher modules; ``index`` names the rule's
    item parameter (default: its first). Returns the rule unchanged.

    ``live``: the launcher takes a device counter ``live`` (int64, ``live[0]``
    live rows) after ``n`` and runs items ``[0, min(n, live[0]))``, so the
    host need not know the live count. ``serial_cpu``: the CPU launcher is a
    plain loop (``njit`` without ``parallel``) for work smaller than the cost
    of a parallel launch; CUDA runs one thread per item either way."""

    def declare(rule):
        setattr(rule, _ATTR, (name, index or next(iter(inspect.signature(rule).parameters)), live, serial_cpu))
        return rule

    return declare


def declared(rules: ModuleType) -> list:
    """The rules of module ``rules`` declared with :func:`per_item`, in
    source order (rules imported from other modules excluded). Launcher
    names are unique within a module, so each has its own cache entry."""
    found = [f for f in vars(rules).values() if callable(f) and hasattr(f, _ATTR) and f.__module__ == rules.__name__]
    names = [launcher_name(f) for f in found]
    if len(set(names)) < len(names):
        raise ValueError(f"{rules.__name__}: a launcher name is declared twice: {sorted(names)}")
    return sorted(found, key=lambda f: f.__code__.co_firstlineno)


def launcher_name(rule) -> str:
    """The launcher name a per-item rule was declared with."""
    return getattr(rule, _ATTR)[0]


def launcher_parameters(rule) -> tuple[str, list[str]]:
    """(the rule's index parameter, the launcher's parameters after ``n``:
    ``live`` for a live-bounded rule, then the rule's others in order); only
    plain positional parameters are allowed, none named as the generated
    source's own names (``n``, ``live``, ``rule``, ``prange``, ``range``,
    ``min``, ``cuda``)."""
    _, index, live, _ = getattr(rule, _ATTR)
    params = inspect.signature(rule).parameters
    plain = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind not in plain or p.default is not p.empty for p in params.values()):
        raise TypeError(f"{rule.__name__}: a per-item rule takes plain positional parameters only")
    if index not in params or _RESERVED & set(params):
        raise TypeError(f"{rule.__name__}: needs the item parameter {index!r} and none named {sorted(_RESERVED)}")
    return index, (["live"] if live else []) + [p for p in params if p != index]


def _compile(rule, template: str, fn_name: str, module: str, namespace: dict):
    """The function ``fn_name`` for ``rule`` from ``template``, defined in
    ``module`` with its code placed at the rule's line of the rule's file."""
    name, _, live, serial = getattr(rule, _ATTR)
    index, others = launcher_parameters(rule)
    params = list(inspect.signature(rule).parameters)
    src = template.format(
        name=name, index=index, params=", ".join(others), args=", ".join(params),
        loop="range" if serial else "prange", bound="min(n, live[0])" if live else "n",
        live_check=f" and {index} < live[0]" if live else "",
    )
    line = rule.__code__.co_firstlineno
    code = compile("\n" * (line - 1) + src, rule.__code__.co_filename, "exec")
    scope = {"__name__": module, "rule": rule, **namespace}
    exec(code, scope)  # noqa: S102 - source built above from the rule's parameter names
    fn = scope[fn_name]
    fn.__doc__ = f"``{rule.__name__}`` for items 0 … {'min(n, live[0])' if live else 'n'} - 1 (n: item count)."
    return fn


def _launcher_module(rules: ModuleType, backend: str) -> str:
    """The module the launchers are defined in: the topic's launcher module
    for rules under ``alveosim.kernels.rules``; elsewhere (an extension's
    rules) the rules module itself, so that Numba's cache, which imports the
    module when it loads a launcher, finds it."""
    if rules.__name__.startswith("alveosim.kernels.rules."):
        return f"alveosim.kernels.{backend}.{rules.__name__.rsplit('.', 1)[-1]}"
    return rules.__name__


def cpu_launchers(rules: ModuleType) -> dict:
    """name → ``@njit(parallel=True, cache=True)`` prange launcher (a plain
    ``@njit(cache=True)`` loop for ``serial_cpu`` rules) for every per-item
    rule of ``rules``."""
    from numba import njit, prange

    module = _launcher_module(rules, "cpu")
    out = {}
    for rule in declared(rules):
        name, _, _, serial = getattr(rule, _ATTR)
        jit = njit(cache=True) if serial else njit(parallel=True, cache=True)
        out[name] = jit(_compile(rule, _CPU, name, module, {"prange": prange}))
    return out


def cuda_launchers(rules: ModuleType) -> dict:
    """name → ``grid1d`` launcher and ``_name`` → ``@cuda.jit(cache=True)``
    kernel for every per-item rule of ``rules``."""
    from numba import cuda

    from alveosim.kernels.cuda.launch import grid1d  # also registers the rules for CUDA

    module = _launcher_module(rules, "cuda")
    out = {}
    for rule in declared(rules):
        name = launcher_name(rule)
        kernel = cuda.jit(cache=True)(_compile(rule, _CUDA, f"_{name}", module, {"cuda": cuda}))
        out[f"_{name}"] = kernel
        out[name] = grid1d(kernel)
    return out
