"""Render time per frame (off-screen, EGL) at 10⁵ and 10⁶ agents.

    python -m alveosim.benchmarks.bench_render [--agents 100000 1000000] [--voxels 64] [--size 1280x720]

Each size writes one synthetic snapshot (a lattice of septal slabs around a
capillary sheet, ``voxels × voxels × voxels/2``, with an occluded block, and
one platelet pool of N agents in the four states, 5 % aggregated) and times
:func:`alveosim.render.frames.render_folder` on it: reading the files, building the
surfaces and point clouds, rendering and writing the PNG. The first render
(OpenGL start-up) is not timed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from alveosim.benchmarks.common import print_rows, write_results
from alveosim import labels
from alveosim.backend import select_backend
from alveosim.io.vtkhdf import write_image, write_points

SPACING = 2.5


def write_snapshot(folder: Path, agents: int, voxels: int) -> None:
    shape = (voxels, voxels, voxels // 2)
    lab = np.full(shape, labels.AIR, dtype=np.uint8)
    k = np.arange(shape[2])
    slab = (k % 12 >= 3) & (k % 12 < 9)
    lab[:, :, slab] = labels.SEPTUM
    lab[:, :, (k % 12 >= 5) & (k % 12 < 7)] = labels.CAPILLARY
    occluded = np.zeros(shape, dtype=np.uint8)
    c = voxels // 2
    occluded[c - 4:c + 4, c - 4:c + 4, 5:7] = 1
    rng = np.random.default_rng(1)
    pts = (rng.random((agents, 3)) * np.asarray(shape) * SPACING).astype(np.float32)
    state = rng.choice(4, size=agents, p=[0.7, 0.15, 0.1, 0.05]).astype(np.uint8)
    folder.mkdir(parents=True)
    attrs = {"alveosim_step": np.int64(1), "alveosim_time_s": np.float64(1.0), "alveosim_phase": "bench"}
    write_image(folder / "lattice.vtkhdf", {"labels": lab, "occluded": occluded}, SPACING, attrs=attrs)
    write_points(folder / "platelet.vtkhdf", pts, {"state": state},
                 attrs=dict(attrs, alveosim_states='["resting", "primed", "activated", "aggregated"]',
                            alveosim_count=np.int64(agents)))


def main(argv=None) -> None:
    from alveosim.render import gl
    from alveosim.render.driver import frame_size, plan_views
    from alveosim.render.frames import RenderOptions, render_folder

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--voxels", type=int, default=64, help="voxels along x and y (z has half)")
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    window = gl.probe()
    size = frame_size(args.size)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.agents:
            folder = Path(tmp) / f"n{n}" / "snapshots" / "step_0000000001"
            write_snapshot(folder, n, args.voxels)
            options = RenderOptions(size=size, max_points=max(args.agents))
            view = plan_views([folder], options)[0]
            render_folder(folder, Path(tmp) / "warm.png", options, view)
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                render_folder(folder, Path(tmp) / "frame.png", options, view)
                times.append(time.perf_counter() - t0)
            seconds = float(np.median(times))
            rows.append({"kernel": "render_frame", "size": f"{n:,} agents, {args.voxels}x{args.voxels}x{args.voxels // 2} voxels, {size[0]}x{size[1]} px",
                         "backend": window, "seconds": seconds, "agent_updates_per_s": n / seconds})
    print_rows(rows)
    path = write_results("render", select_backend("cpu"), rows, extra={"window": window, "frame_size": list(size)})
    print(f"results: {path}")


if __name__ == "__main__":
    main()
