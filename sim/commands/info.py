"""``alveosim info``: backend, GPU, versions and CPU threads."""

from alveosim.commands.common import console


def register(sub):
    p = sub.add_parser("info", help="show the backend auto would choose, the GPU, versions and threads")
    p.set_defaults(func=run)


def run(args) -> int:
    import platform

    import numba
    import numpy
    from rich.table import Table

    import alveosim
    from alveosim.backend import cuda_status, select_backend

    ok, why = cuda_status()
    table = Table(title="alveosim info", show_header=False)
    table.add_row("alveosim", alveosim.__version__)
    table.add_row("python", platform.python_version())
    table.add_row("numpy / numba", f"{numpy.__version__} / {numba.__version__}")
    table.add_row("CPU threads (Numba)", str(numba.config.NUMBA_NUM_THREADS))
    table.add_row("CUDA", why if ok else f"not usable: {why}")
    if ok:
        backend = select_backend("cuda")
        mem = backend.memory_info()
        if mem:
            table.add_row("GPU memory", f"{mem[1] / 2**30:.1f} GiB total, {mem[0] / 2**30:.1f} GiB free")
    table.add_row("auto backend", select_backend("auto").description)
    for mod in ("h5py", "pydantic", "pint", "cupy", "pyvista", "vtk"):
        try:
            version = __import__(mod).__version__
        except Exception:
            version = "not installed"
        table.add_row(mod, str(version))
    console.print(table)
    return 0
