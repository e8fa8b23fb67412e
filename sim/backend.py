"""The compute backend, chosen once per run: ``cpu``, ``cuda`` or ``auto``.

A :class:`Backend` gives operations three things: ``xp`` (the array module of
the device: NumPy on the CPU, CuPy on a GPU, NumPy under Numba's CUDA
simulator), ``kernels(topic)`` (the launcher module ``alveosim.kernels.cpu.<topic>`` or
``alveosim.kernels.cuda.<topic>``, which expose the same names and arguments), and the
host/device copies used only at logging, checkpoint and set-up time.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np


class BackendError(RuntimeError):
    """The requested backend cannot be used on this machine."""


def cuda_simulator_enabled() -> bool:
    """True when Numba's CUDA simulator is on (``NUMBA_ENABLE_CUDASIM=1``)."""
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") == "1"


def cuda_status() -> tuple[bool, str]:
    """Whether CUDA kernels can run here, and a one-line reason/description."""
    if cuda_simulator_enabled():
        return True, "Numba CUDA simulator (NUMBA_ENABLE_CUDASIM=1)"
    try:
        from numba import cuda
    except Exception as exc:  # numba-cuda missing or broken
        return False, f"numba CUDA unavailable ({_first_line(exc)}): pip install 'alveosim[gpu]'"
    try:
        if not cuda.is_available():
            return False, "no CUDA GPU or driver found"
        dev = cuda.get_current_device()
        name = dev.name.decode() if isinstance(dev.name, bytes) else str(dev.name)
    except Exception as exc:
        return False, f"CUDA not usable ({_first_line(exc)})"
    try:
        import cupy

        cupy.zeros(1).get()  # CuPy that imports but cannot reach the device is as good as missing
    except ImportError:
        return False, f"GPU {name} found but CuPy is missing: pip install 'alveosim[gpu]'"
    except Exception as exc:
        return False, f"GPU {name} found but CuPy is not usable ({type(exc).__name__}: {_first_line(exc)})"
    return True, name


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no message"


@dataclass
class Backend:
    """A chosen compute backend. ``name`` is ``"cpu"`` or ``"cuda"``."""

    name: str
    description: str
    simulated: bool = False
    _modules: dict = field(default_factory=dict, repr=False)

    @property
    def xp(self) -> ModuleType:
        """The array module whose arrays the kernels take (numpy or cupy)."""
        if self.name == "cuda" and not self.simulated:
            import cupy

            return cupy
        return np

    def scipy(self, submodule: str) -> ModuleType:
        """``scipy.<submodule>`` for NumPy arrays, ``cupyx.scipy.<submodule>``
        for CuPy arrays (imported on first use)."""
        if self.xp is np:
            return importlib.import_module(f"scipy.{submodule}")
        return importlib.import_module(f"cupyx.scipy.{submodule}")

    def kernels(self, topic: str) -> ModuleType:
        """The launcher module for ``topic`` on this backend (imported once)."""
        if topic not in self._modules:
            self._modules[topic] = importlib.import_module(f"alveosim.kernels.{self.name}.{topic}")
        return self._modules[topic]

    def asarray(self, host: np.ndarray, dtype=None):
        """Copy a host array to the device (a no-op copy on the CPU)."""
        host = np.ascontiguousarray(host, dtype=dtype)
        return self.xp.asarray(host) if self.xp is not np else host.copy()

    def to_host(self, arr) -> np.ndarray:
        """Copy a device array to a host NumPy array."""
        if self.xp is np:
            return np.asarray(arr)
        return self.xp.asnumpy(arr)

    def scalar(self, value) -> float | int:
        """A device 0-d value as a Python number (one small transfer)."""
        return self.to_host(value).item()

    def scalars(self, values) -> list:
        """Several device 0-d values (same kind) as Python numbers, in one
        transfer (none for an empty list)."""
        if not values:
            return []
        return self.to_host(self.xp.stack(values)).tolist()

    def synchronize(self) -> None:
        """Wait for queued device work (for timing)."""
        if self.name == "cuda" and not self.simulated:
            from numba import cuda

            cuda.synchronize()

    def memory_info(self) -> tuple[int, int] | None:
        """(free, total) device bytes, or None on the CPU / simulator."""
        if self.name == "cuda" and not self.simulated:
            free, total = self.xp.cuda.runtime.memGetInfo()
            return int(free), int(total)
        return None


def select_backend(requested: str = "auto") -> Backend:
    """Choose the backend once for a run.

    ``auto`` takes a real CUDA GPU when one is usable (never the simulator) and
    the CPU otherwise; the returned description says which and why.
    """
    if requested not in ("cpu", "cuda", "auto"):
        raise BackendError(f"unknown backend {requested!r}: choose cpu, cuda or auto")
    if requested == "cpu":
        return Backend("cpu", _cpu_description())
    ok, why = cuda_status()
    if requested == "cuda":
        if not ok:
            raise BackendError(f"backend 'cuda' requested but {why}; use --backend cpu")
        return Backend("cuda", why, simulated=cuda_simulator_enabled())
    if ok and not cuda_simulator_enabled():
        return Backend("cuda", f"auto: {why}")
    return Backend("cpu", f"auto: {_cpu_description()} ({why})")


def _cpu_description() -> str:
    import numba

    return f"CPU, {numba.config.NUMBA_NUM_THREADS} Numba threads"
