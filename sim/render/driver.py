"""Render every snapshot of a run: one camera for the whole movie, frames in
parallel processes when there are many, a progress bar, then the movie."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sim.render import gl
from sim.render.camera import camera_position, focus_box
from sim.render.frames import RenderOptions, View, clot_box, render_folder
from sim.render.snapshots import read_snapshot, snapshot_folders

PARALLEL_FROM = 8  # frames; fewer render in this process


def frame_size(text: str) -> tuple[int, int]:
    """``'WxH'`` -> (W, H) rounded up to multiples of 16 (video macro blocks)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size {text!r}: expected WIDTHxHEIGHT in pixels, e.g. 1280x720") from None
    if w < 16 or h < 16:
        raise ValueError(f"--size {text!r}: at least 16x16 pixels")
    return -(-w // 16) * 16, -(-h // 16) * 16


def plan_views(folders: list[Path], options: RenderOptions) -> list[View]:
    """One view per frame. The clot box is that of the last snapshot (clots
    grow), so the camera stays still unless ``orbit`` turns it."""
    last = read_snapshot(folders[-1], ("labels", "occluded"), species=("platelet",))
    domain = last.size_um
    box = focus_box(domain, clot_box(last), last.spacing)
    aspect = options.size[0] / options.size[1]
    views = []
    for i in range(len(folders)):
        pos, focal, up = camera_position(options.camera, domain, box, i, len(folders), aspect)
        shown = box if options.camera in ("clot", "orbit") else (np.zeros(3), domain)
        views.append(View(pos, focal, up, (tuple(map(float, shown[0])), tuple(map(float, shown[1])))))
    return views


def _render_task(task):
    folder, out, options, view = task
    return render_folder(folder, out, options, view)


def default_jobs(n_frames: int) -> int:
    return 1 if n_frames < PARALLEL_FROM else max(1, min(4, os.cpu_count() or 1))


def render_run(run_dir: str | Path, out_dir: str | Path, options: RenderOptions = RenderOptions(),
               jobs: int | None = None, progress: bool = True) -> list[Path]:
    """Render every snapshot of ``run_dir`` to ``out_dir/frame_<i>.png``;
    returns the frames in step order. Raises :class:`gl.RenderUnavailable`
    (one line) when OpenGL cannot render here, FileNotFoundError when the
    run has no snapshots."""
    folders = snapshot_folders(run_dir)
    if not folders:
        raise FileNotFoundError(f"{run_dir}: no snapshots (set output.snapshot_every in the config and run again)")
    gl.probe()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    views = plan_views(folders, options)
    tasks = [(f, out_dir / f"frame_{i:05d}.png", options, v) for i, (f, v) in enumerate(zip(folders, views))]
    jobs = default_jobs(len(tasks)) if jobs is None else max(1, jobs)
    from rich.progress import Progress

    with Progress(disable=not progress, transient=False) as bar:
        task_id = bar.add_task(f"rendering {len(tasks)} frames", total=len(tasks))
        if jobs == 1:
            for t in tasks:
                _render_task(t)
                bar.advance(task_id)
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
                for fut in as_completed([pool.submit(_render_task, t) for t in tasks]):
                    fut.result()
                    bar.advance(task_id)
    return [t[1] for t in tasks]

