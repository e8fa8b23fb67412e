"""Render every snapshot of a run: one camera for the whole movie, frames in
parallel processes when there are many, a progress bar, then the movie."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from alveosim.render import gl
from alveosim.render.camera import camera_position, focus_box, parallel_scale, view_direction
from alveosim.render.frames import RenderOptions, View, clot_box, render_folder
from alveosim.render.snapshots import read_snapshot, snapshot_folders, snapshot_step_phase

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


def parse_steps(text: str | None) -> tuple[int | None, int | None]:
    """``--steps FIRST:LAST`` (either end may be left out; one number: that
    step only) -> (first, last), inclusive."""
    if not text:
        return None, None
    first, sep, last = text.partition(":")
    try:
        lo = int(first) if first.strip() else None
        hi = (int(last) if last.strip() else None) if sep else lo
    except ValueError:
        raise ValueError(f"--steps {text!r}: expected FIRST:LAST step numbers, e.g. 1000:2512 or 2000:") from None
    return lo, hi


def select_folders(run_dir: str | Path, phase: str | None = None, steps: tuple[int | None, int | None] = (None, None)) -> list[Path]:
    """The run's snapshot folders in step order, those of ``phase`` (a phase
    name) and within ``steps`` (first, last; inclusive, None: open) only.
    Raises FileNotFoundError (one line, naming what there is) when none is left."""
    folders = snapshot_folders(run_dir)
    if not folders:
        raise FileNotFoundError(f"{run_dir}: no snapshots (set output.snapshot_every in the config and run again)")
    info = [snapshot_step_phase(f) for f in folders]
    lo, hi = steps
    chosen = [f for f, (step, name) in zip(folders, info)
              if (phase is None or name == phase) and (lo is None or step >= lo) and (hi is None or step <= hi)]
    if not chosen:
        phases = ", ".join(dict.fromkeys(name for _, name in info))
        raise FileNotFoundError(f"{run_dir}: no snapshot matches (phases: {phases}; steps {info[0][0]}..{info[-1][0]})")
    return chosen


def render_folder_name(options: RenderOptions, phase: str | None, steps: tuple[int | None, int | None]) -> str:
    """The default folder (under RUN_DIR/render) of one render: camera and
    tissue mode, then what was selected (``clot-slab``, ``orbit-faint-blood_flow``)."""
    parts = [options.camera, f"tissue_{options.tissue}" if options.tissue == "off" else options.tissue]
    if phase:
        parts.append(phase)
    if steps != (None, None):
        parts.append("steps_" + "-".join("" if s is None else str(s) for s in steps))
    if options.field:
        parts.append(f"{options.field}_{options.field_style}")
    if options.species is not None:
        parts.append("+".join(options.species))
    return "-".join(parts)


def plan_views(folders: list[Path], options: RenderOptions) -> list[View]:
    """One view per frame. The clot box is that of the last snapshot (clots
    grow), so the camera stays still unless ``orbit`` turns it; the tissue
    slab spans the largest clot along the view direction plus 4 voxels each side."""
    last = read_snapshot(folders[-1], ("labels", "occluded"), species=("platelet",))
    domain = last.size_um
    clot = clot_box(last)
    box = focus_box(domain, clot, last.spacing)
    views = []
    for i in range(len(folders)):
        pos, focal, up = camera_position(options.camera, domain, box, i, len(folders), options.scene_aspect)
        shown = box if options.camera in ("clot", "orbit") else (np.zeros(3), domain)
        slab = None
        if clot is not None and options.camera in ("clot", "orbit"):
            normal = view_direction(options.camera, i, len(folders))
            half_clot = 0.5 * float(np.abs(clot[1] - clot[0]) @ np.abs(normal))
            slab = (tuple(normal), tuple((clot[0] + clot[1]) / 2.0), half_clot + 4.0 * last.spacing)
        scale = parallel_scale(shown, pos, focal, up, options.scene_aspect)
        views.append(View(pos, focal, up, scale, (tuple(map(float, shown[0])), tuple(map(float, shown[1]))), slab))
    return views


def _render_task(task):
    folder, out, options, view = task
    return render_folder(folder, out, options, view)


def default_jobs(n_frames: int) -> int:
    return 1 if n_frames < PARALLEL_FROM else max(1, min(4, os.cpu_count() or 1))


def render_run(run_dir: str | Path, out_dir: str | Path, options: RenderOptions = RenderOptions(),
               jobs: int | None = None, progress: bool = True, phase: str | None = None,
               steps: tuple[int | None, int | None] = (None, None)) -> list[Path]:
    """Render the snapshots of ``run_dir`` (those of ``phase`` and within
    ``steps`` only, when given) to ``out_dir/frame_<i>.png``, replacing the
    frames an earlier render left there; returns the frames in step order.
    Raises :class:`gl.RenderUnavailable` (one line) when OpenGL cannot render
    here, FileNotFoundError when no snapshot is selected."""
    folders = select_folders(run_dir, phase, steps)
    gl.probe()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("frame_*.png"):
        old.unlink()
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

