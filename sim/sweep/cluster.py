"""Where members run: a Dask LocalCluster (default), an existing scheduler,
or one worker per GPU (dask-cuda). Dask is imported only here."""

from __future__ import annotations

import os
from contextlib import contextmanager

DASK_MISSING = "sweeps run on Dask: pip install 'alveosim[dist]' (dask[distributed])"


def require(module: str, message: str):
    """Import ``module`` or raise ImportError with a one-line ``message``."""
    from importlib import import_module

    try:
        return import_module(module)
    except ImportError:
        raise ImportError(message) from None


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None, gpu: bool = False):
    """Yield ``(client, numba_threads)``: a client of ``scheduler`` (members
    then use the workers' own NUMBA_NUM_THREADS), or of a LocalCluster of
    ``workers`` single-threaded processes (default: one per core), each member
    running ``cores // workers`` Numba threads so cores are not
    oversubscribed. With ``gpu``, a dask-cuda LocalCUDACluster (one worker
    per device) when dask-cuda is installed, else one worker (device 0)."""
    distributed = require("distributed", DASK_MISSING)
    import logging
    from importlib import import_module

    if scheduler:
        client = distributed.Client(scheduler, timeout="30s")
        try:
            yield client, None
        finally:
            client.close()
        return
    cores = os.cpu_count() or 1
    try:
        dask_cuda = import_module("dask_cuda") if gpu else None
    except ImportError:
        dask_cuda, workers = None, 1
    if dask_cuda is not None:
        cluster = dask_cuda.LocalCUDACluster(threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR)
        threads = None
    else:
        workers = workers or cores
        threads = max(1, cores // workers)
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, silence_logs=logging.ERROR,
            env={"NUMBA_NUM_THREADS": str(threads), "OMP_NUM_THREADS": "1"},
        )
    client = distributed.Client(cluster)
    try:
        yield client, threads
    finally:
        client.close()
        cluster.close()
