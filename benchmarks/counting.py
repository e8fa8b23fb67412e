"""A counting stand-in for the cuda backend's array module: every
device→host transfer ("sync"), kernel launch and array operation is counted.

:class:`CountingBackend` is a cuda :class:`~sim.backend.Backend` whose ``xp``
wraps the real array module (NumPy under Numba's CUDA simulator, CuPy on a
GPU) so that every array is a :class:`DeviceArray`. A sync is what makes the
host wait for the device's data:

- ``.get()``, ``asnumpy``, ``.item()``, ``.tolist()``, iteration,
  ``int()/float()/bool()/operator.index`` of an array, an implicit
  ``__array__`` (``np.asarray(device_array)``, which CuPy refuses);
- the operations whose result size depends on the data, which CuPy answers
  by reading a count on the host: boolean-mask indexing (read or write),
  ``nonzero``/``flatnonzero``/``argwhere``/``unique``/``compress``/
  ``extract``/``repeat``.

Kernel launches are counted where Numba launches them (the simulator's kernel
call, or the launch configuration on a GPU), with the device arrays unwrapped.
Use it as a context manager: ``with CountingBackend() as be: ...`` turns the
launch counting on; ``be.counts`` holds the totals and ``be.counts.sites``
the source lines ("dir/file.py:function:line (what)") where syncs happened.
"""

from __future__ import annotations

import importlib
import operator
import traceback
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from alveosim.backend import Backend, cuda_simulator_enabled, select_backend

SYNC_FUNCTIONS = frozenset({"nonzero", "flatnonzero", "argwhere", "unique", "compress", "extract", "repeat"})
SYNC_METHODS = frozenset({"item", "tolist", "nonzero", "repeat", "compress"})
VIEW_METHODS = frozenset({"reshape", "ravel", "view", "transpose", "swapaxes", "squeeze"})
NOT_OPS = frozenset({"asarray", "ndim", "shape", "size", "dtype", "result_type", "can_cast", "iinfo", "finfo", "isscalar", "get_array_module"})


@dataclass
class Counts:
    """Totals since the last :meth:`reset`; ``sites`` maps "file:line" of the
    calling code to the number of syncs it caused."""

    syncs: int = 0
    launches: int = 0
    ops: int = 0
    sites: Counter = field(default_factory=Counter)
    kernels: Counter = field(default_factory=Counter)

    def reset(self) -> None:
        self.syncs = self.launches = self.ops = 0
        self.sites.clear()
        self.kernels.clear()

    def snapshot(self) -> tuple[int, int, int]:
        """(syncs, launches, ops)."""
        return self.syncs, self.launches, self.ops

    def sync(self, what: str) -> None:
        self.syncs += 1
        self.sites[f"{_caller()} ({what})"] += 1


def _caller() -> str:
    """The first frame outside this module, the backend and NumPy: where the
    sync was asked for."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if frame.filename != __file__ and "/numpy/" not in frame.filename and not frame.filename.endswith("sim/backend.py"):
            return f"{frame.filename.rsplit('/', 2)[-2]}/{frame.filename.rsplit('/', 1)[-1]}:{frame.name}:{frame.lineno}"
    return "?"


def _is_mask(key) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(getattr(p, "dtype", None) == np.bool_ and getattr(p, "ndim", 0) > 0 for p in parts)


def _is_advanced(key) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(getattr(p, "ndim", 0) > 0 or isinstance(p, list) for p in parts)


class DeviceArray:
    """A device array that counts what is done with it (see the module doc)."""

    __slots__ = ("_a", "_c")
    __array_ufunc__ = None  # NumPy defers binary operators to ours

    def __init__(self, a, counts: Counts):
        self._a = a
        self._c = counts

    # -- metadata: no device work ---------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    nbytes = property(lambda self: self._a.nbytes)
    itemsize = property(lambda self: self._a.itemsize)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: DeviceArray(self._a.T, self._c))

    @property
    def __cuda_array_interface__(self):
        return self._a.__cuda_array_interface__

    def __len__(self):
        return len(self._a)

    def __repr__(self):
        return f"DeviceArray(shape={self.shape}, dtype={self.dtype})"

    # -- transfers to the host ------------------------------------------
    def _host(self, what: str):
        self._c.sync(what)
        a = self._a
        return a.get() if hasattr(a, "get") and not isinstance(a, np.ndarray) else np.asarray(a)

    def __array__(self, dtype=None, copy=None):
        host = self._host("__array__")
        return host.astype(dtype) if dtype is not None else host

    def __int__(self):
        return int(self._host("int()"))

    def __float__(self):
        return float(self._host("float()"))

    def __bool__(self):
        return bool(self._host("bool()"))

    def __index__(self):
        return operator.index(self._host("index()").item())

    def __iter__(self):
        return iter(self._host("iteration"))

    def get(self):
        """A host copy (one sync), as CuPy's ``.get()``."""
        self._c.sync(".get()")
        return self._host_copy()

    # -- indexing -------------------------------------------------------
    def __getitem__(self, key):
        key = _unwrap(key)
        if _is_mask(key):
            self._c.sync("boolean-mask read")
        if _is_advanced(key):
            self._c.ops += 1
        return _wrap(self._a[key], self._c, scalar_as_array=True)

    def __setitem__(self, key, value):
        key = _unwrap(key)
        if _is_mask(key):
            self._c.sync("boolean-mask write")
        self._c.ops += 1
        self._a[key] = _unwrap(value)

    # -- methods --------------------------------------------------------
    def __getattr__(self, name):
        if name.startswith("__"):  # no __array_interface__ & co.: a host view would be a hidden sync
            raise AttributeError(name)
        attr = getattr(self._a, name)
        if not callable(attr):
            return attr

        def method(*args, **kwargs):
            if name in SYNC_METHODS:
                self._c.sync(f".{name}()")
            if name not in VIEW_METHODS:
                self._c.ops += 1
            return _wrap(attr(*_unwrap(args), **_unwrap(kwargs)), self._c, scalar_as_array=name not in ("item", "tolist"))

        return method

    def _host_copy(self):
        a = self._a
        return a.get() if not isinstance(a, np.ndarray) else a.copy()


def _binary(name):
    def forward(self, other):
        self._c.ops += 1
        return _wrap(getattr(operator, name)(self._a, _unwrap(other)), self._c, scalar_as_array=True)

    return forward


def _reflected(name):
    def reflected(self, other):
        self._c.ops += 1
        return _wrap(getattr(operator, name)(_unwrap(other), self._a), self._c, scalar_as_array=True)

    return reflected


def _inplace(name):
    def inplace(self, other):
        self._c.ops += 1
        self._a = getattr(operator, f"i{name.rstrip('_')}")(self._a, _unwrap(other))
        return self

    return inplace


def _unary(name):
    def unary(self):
        self._c.ops += 1
        return _wrap(getattr(operator, name)(self._a), self._c, scalar_as_array=True)

    return unary


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor", "lshift", "rshift", "matmul"):
    _op = "and_" if _name == "and" else "or_" if _name == "or" else _name
    setattr(DeviceArray, f"__{_name}__", _binary(_op))
    setattr(DeviceArray, f"__r{_name}__", _reflected(_op))
    setattr(DeviceArray, f"__i{_name}__", _inplace(_op))
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(DeviceArray, f"__{_name}__", _binary(_name))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(DeviceArray, f"__{_name}__", _unary(_name))
DeviceArray.__hash__ = None


def _unwrap(x):
    if isinstance(x, DeviceArray):
        return x._a
    if isinstance(x, tuple):
        return tuple(_unwrap(v) for v in x)
    if isinstance(x, list):
        return [_unwrap(v) for v in x]
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def _wrap(x, counts: Counts, scalar_as_array: bool = False):
    """Device arrays (and, as CuPy returns them, 0-d results) as DeviceArray."""
    if isinstance(x, DeviceArray):
        return x
    if isinstance(x, np.ndarray) or (type(x).__module__.startswith("cupy") and hasattr(x, "shape")):
        return DeviceArray(x, counts)
    if scalar_as_array and isinstance(x, (np.generic, int, float, bool)) and not isinstance(x, type):
        return DeviceArray(np.asarray(x), counts)
    if isinstance(x, tuple):
        return tuple(_wrap(v, counts, scalar_as_array) for v in x)
    return x


class CountingModule:
    """The array module of a :class:`CountingBackend`: ``base``'s functions
    on DeviceArrays, each call counted as one operation."""

    def __init__(self, base, counts: Counts):
        self._base = base
        self._c = counts
        self.ndarray = DeviceArray

    def asnumpy(self, a):
        """A host copy (one sync)."""
        self._c.sync("xp.asnumpy")
        return a._host_copy() if isinstance(a, DeviceArray) else np.asarray(a)

    def __getattr__(self, name):
        attr = getattr(self._base, name)
        if isinstance(attr, type) or not callable(attr):
            return attr

        def function(*args, **kwargs):
            if name in SYNC_FUNCTIONS:
                self._c.sync(f"xp.{name}")
            if name not in NOT_OPS:
                self._c.ops += 1
            device_in = any(isinstance(a, DeviceArray) for a in (*args, *kwargs.values()))
            return _wrap(attr(*_unwrap(args), **_unwrap(kwargs)), self._c, scalar_as_array=device_in)

        return function


class CountingBackend(Backend):
    """The cuda backend with a counting array module (see the module doc)."""

    def __init__(self):
        chosen = select_backend("cuda")
        super().__init__("cuda", f"counting: {chosen.description}", simulated=chosen.simulated)
        self.counts = Counts()
        base = np if chosen.simulated else chosen.xp
        self._xp = CountingModule(base, self.counts)
        self._restore = None

    @property
    def xp(self):
        return self._xp

    def scipy(self, submodule: str):
        """``scipy.<submodule>`` (simulator) or ``cupyx.scipy.<submodule>``, counted."""
        prefix = "scipy" if self.simulated else "cupyx.scipy"
        return CountingModule(importlib.import_module(f"{prefix}.{submodule}"), self.counts)

    def synchronize(self) -> None:
        self.counts.sync("synchronize")
        super().synchronize()

    def __enter__(self):
        if cuda_simulator_enabled():
            from numba.cuda.simulator import kernel as sim_kernel

            owner, original = sim_kernel.FakeCUDAKernel, sim_kernel.FakeCUDAKernel.__call__
            counts = self.counts

            def call(kernel, *args):
                if not kernel._device and not sim_kernel._kernel_context:
                    counts.launches += 1
                    counts.kernels[kernel.fn.__name__] += 1
                return original(kernel, *_unwrap(args))

        else:
            from numba.cuda.dispatcher import _LaunchConfiguration

            owner, original = _LaunchConfiguration, _LaunchConfiguration.__call__
            counts = self.counts

            def call(config, *args):
                counts.launches += 1
                counts.kernels[getattr(config.dispatcher, "__name__", "kernel")] += 1
                return original(config, *args)

        owner.__call__ = call
        self._restore = (owner, original)
        return self

    def __exit__(self, *exc):
        owner, original = self._restore
        owner.__call__ = original
        self._restore = None
        return False


def per_step(samples: list[tuple[int, int, int]]) -> dict:
    """Summary of per-step (syncs, launches, ops) samples: max syncs, mean
    launches and ops."""
    if not samples:
        return {"steps": 0}
    syncs, launches, ops = (np.array(col) for col in zip(*samples))
    return {"steps": len(samples), "syncs_per_step_max": int(syncs.max()), "syncs_per_step_mean": float(syncs.mean()),
            "launches_per_step": float(launches.mean()), "array_ops_per_step": float(ops.mean())}
