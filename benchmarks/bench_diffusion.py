"""Benchmark of the diffusion solvers (implicit LOD step, explicit 7-point
sub-step) in voxel-updates/s per field, against the copy bandwidth measured
in the same run.

Bytes a call must move, per voxel: implicit step, 3 sweeps × (read c 4 +
labels 1 + write cp, dp 16 + read cp, dp 16 + write c 4) = 123 B; explicit
sub-step: read c 4 + labels 1 + write out 4 = 9 B, which is also all the
kernel reads and writes besides its 144-byte coefficient table (neighbour
values come from cache; the once-per-step Dirichlet pass is not in the
sub-step). The explicit sub-step runs on uniform septum and on random
air/septum/post labels (the worst case: no run of one label, every face
coefficient a table lookup).

    python -m alveosim.benchmarks.bench_diffusion --sizes 128 256 [--backend cpu|cuda]
"""

from __future__ import annotations

import argparse

import numpy as np

from alveosim.benchmarks.common import copy_bandwidth, finish_row, print_rows, time_call, write_results
from alveosim.backend import select_backend
from alveosim.fields.solvers import ExplicitStencil, Grid, ImplicitLOD, face_table
from alveosim.labels import AIR, NAMES, POST, SEPTUM

BYTES_IMPLICIT = 3 * (4 + 1 + 16 + 16 + 4)
BYTES_EXPLICIT = 4 + 1 + 4


def bench_size(backend, n: int, repeats: int) -> list[dict]:
    xp = backend.xp
    labels = xp.full((n, n, n), SEPTUM, dtype=np.uint8)
    grid = Grid(backend, (n, n, n), 2.5, labels)
    d = np.full(len(NAMES), 20.0)
    d[0] = 0.0
    gtab = backend.asarray(face_table(d))
    fixed = backend.asarray(np.zeros(len(NAMES), np.uint8))
    c = backend.asarray(np.random.default_rng(0).random((n, n, n), dtype=np.float32))
    implicit = ImplicitLOD(grid)
    k = backend.kernels("diffusion")
    rows = []
    t = time_call(lambda: implicit.diffuse(c, gtab, fixed, 0.0, 60.0), backend, repeats)
    rows.append({"kernel": "implicit_lod_step", "size": f"{n}^3", "backend": backend.name, "seconds": t,
                 "voxel_updates_per_s": n**3 / t, "bytes_per_call": BYTES_IMPLICIT * n**3})
    coef = ExplicitStencil.coefficients(gtab, fixed, 0.9 / (6.0 * 20.0))
    nl = np.int32(len(NAMES))
    flat, out = c.reshape(-1), grid.scratch.reshape(-1)
    mixed = backend.asarray(np.random.default_rng(1).choice(np.array([AIR, SEPTUM, SEPTUM, POST], np.uint8), n**3))
    for kernel, lab in (("explicit_substep", grid.flat_labels), ("explicit_substep_mixed_labels", mixed)):
        t = time_call(lambda lab=lab: k.stencil_step(grid.n, flat, out, lab, coef, nl, n, n, n), backend, repeats)
        rows.append({"kernel": kernel, "size": f"{n}^3", "backend": backend.name, "seconds": t,
                     "voxel_updates_per_s": n**3 / t, "bytes_per_call": BYTES_EXPLICIT * n**3})
    return rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[128, 256], help="cube edges in voxels (512 on a GPU)")
    p.add_argument("--backend", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    backend = select_backend(args.backend)
    bandwidth = copy_bandwidth(backend)
    rows = []
    for n in args.sizes:
        rows += [finish_row(r, bandwidth) for r in bench_size(backend, n, args.repeats)]
    print_rows(rows)
    path = write_results("diffusion", backend, rows, {"copy_bandwidth_Bps": bandwidth})
    print(f"copy bandwidth {bandwidth / 1e9:.2f} GB/s; results in {path}")


if __name__ == "__main__":
    main()
