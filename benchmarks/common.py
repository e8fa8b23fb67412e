"""Shared benchmark plumbing: machine description, measured copy bandwidth,
timing after warm-up (CUDA events on a GPU), and JSON result files.

A result row is a dict with at least: ``kernel``, ``size``, ``backend``,
``seconds`` (median per call), and either ``agent_updates_per_s`` or
``voxel_updates_per_s``; ``bytes_per_call`` gives ``achieved_GBps`` and the
fraction of the measured copy bandwidth (``roofline_fraction``).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine(backend) -> dict:
    """What the numbers were measured on."""
    import numba

    info = {
        "hostname": platform.node(),
        "cpu": _cpu_model(),
        "cpu_threads": numba.config.NUMBA_NUM_THREADS,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "backend": backend.name,
        "backend_description": backend.description,
    }
    mem = backend.memory_info()
    if mem:
        info["device_memory_bytes"] = mem[1]
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def time_call(fn, backend, repeats: int = 5, warmup: int = 1) -> float:
    """Median seconds of ``fn()`` after ``warmup`` calls (compilation): on a
    GPU the time between CUDA events recorded around each call, else wall
    seconds with the device synchronised around each call."""
    for _ in range(warmup):
        fn()
    backend.synchronize()
    times = []
    events = backend.name == "cuda" and not backend.simulated
    if events:
        from numba import cuda
    for _ in range(repeats):
        if events:
            start, end = cuda.event(), cuda.event()
            start.record()
            fn()
            end.record()
            end.synchronize()
            times.append(cuda.event_elapsed_time(start, end) / 1e3)
        else:
            t0 = time.perf_counter()
            fn()
            backend.synchronize()
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def copy_bandwidth(backend, n_bytes: int = 256 * 2**20, repeats: int = 5) -> float:
    """Measured device copy bandwidth in bytes/s (read + write counted):
    the roofline the kernels are compared with (16 MiB in the CUDA
    simulator, where it measures NumPy)."""
    xp = backend.xp
    n = (min(n_bytes, 16 * 2**20) if backend.simulated else n_bytes) // 4
    a = xp.ones(n, dtype=np.float32)
    b = xp.empty_like(a)
    if backend.name == "cpu":
        from alveosim.kernels.cpu.bandwidth import copy as kernel_copy

        seconds = time_call(lambda: kernel_copy(a, b), backend, repeats)
    else:
        seconds = time_call(lambda: b.__setitem__(slice(None), a), backend, repeats)
    return 2.0 * n * 4 / seconds


def finish_row(row: dict, bandwidth: float) -> dict:
    """Add achieved GB/s and the roofline fraction when bytes are known."""
    if row.get("bytes_per_call"):
        achieved = row["bytes_per_call"] / row["seconds"]
        row["achieved_GBps"] = achieved / 1e9
        row["roofline_fraction"] = achieved / bandwidth
    row["copy_bandwidth_GBps"] = bandwidth / 1e9
    return row


def write_results(name: str, backend, rows: list[dict], extra: dict | None = None, out_dir: Path | None = None) -> Path:
    """Write ``{machine, rows, ...}`` to ``results/<name>-<backend>-<host>.json``."""
    out_dir = Path(out_dir or os.environ.get("ALVEOSIM_BENCH_DIR", RESULTS_DIR))
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = {
        "benchmark": name,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(backend),
        "rows": rows,
        **(extra or {}),
    }
    path = out_dir / f"{name}-{backend.name}-{platform.node() or 'host'}.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


def print_rows(rows: list[dict]) -> None:
    """A table of the rows on screen (rich)."""
    from rich.console import Console
    from rich.table import Table

    if not rows:
        return
    cols = [c for c in ("kernel", "size", "backend", "seconds", "agent_updates_per_s", "voxel_updates_per_s", "achieved_GBps", "roofline_fraction", "speedup_vs_numpy") if any(c in r for r in rows)]
    table = Table(*cols)
    for r in rows:
        table.add_row(*[_fmt(r.get(c, "")) for c in cols])
    Console().print(table)


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)
