"""Rendering snapshots off-screen: frames show the scene, the clot colour
appears exactly when there is a clot, movies decode with every frame, and
no usable OpenGL gives one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alveosim import labels
from alveosim.io.vtkhdf import write_image, write_points
from alveosim.render.camera import camera_position, focus_box
from alveosim.render.driver import frame_size
from alveosim.render.palette import BACKGROUND

SHAPE = (16, 16, 8)
SPACING = 2.5
ROOT = Path(__file__).resolve().parents[1]


def _lattice():
    lab = np.full(SHAPE, labels.AIR, dtype=np.uint8)
    lab[:, :, 2:6] = labels.SEPTUM
    lab[:, :, 3:5] = labels.CAPILLARY
    lab[::5, ::5, 3:5] = labels.POST
    return lab


def write_run(run_dir: Path, n_snapshots: int, clot: bool) -> Path:
    """A run directory with tiny snapshots: a septum slab around a capillary
    sheet, 200 platelets; with ``clot`` the last snapshots hold an occluded
    block and aggregated platelets in it."""
    rng = np.random.default_rng(0)
    lab = _lattice()
    for s in range(n_snapshots):
        folder = run_dir / "snapshots" / f"step_{s * 10:010d}"
        folder.mkdir(parents=True)
        occluded = np.zeros(SHAPE, dtype=np.uint8)
        state = np.zeros(200, dtype=np.uint8)
        pts = np.column_stack([rng.uniform(0, 40, 200), rng.uniform(0, 40, 200), rng.uniform(7.5, 12.5, 200)]).astype(np.float32)
        if clot and s > 0:
            occluded[6:10, 6:10, 3:5] = 1
            pts[:30] = rng.uniform([15, 15, 8], [25, 25, 12], (30, 3))
            state[:30] = 3
        attrs = {"alveosim_step": np.int64(s * 10), "alveosim_time_s": np.float64(s * 0.02), "alveosim_phase": "blood_flow"}
        write_image(folder / "lattice.vtkhdf", {"labels": lab, "occluded": occluded,
                                                "cxcl13": np.linspace(0, 100, lab.size).reshape(SHAPE).astype(np.float32)},
                    SPACING, attrs=attrs)
        write_points(folder / "platelet.vtkhdf", pts, {"state": state, "uid": np.arange(200, dtype=np.int64)},
                     attrs=dict(attrs, alveosim_states='["resting", "primed", "activated", "aggregated"]',
                                alveosim_count=np.int64(200)))
    return run_dir


def clot_pixels(img: np.ndarray) -> int:
    """Pixels of the clot's saturated blue (any shading of it)."""
    r, g, b = (img[..., i].astype(int) for i in range(3))
    return int(np.count_nonzero((b >= 90) & (b > 3 * r) & (b > 2.5 * g)))


def test_frame_size_rounds_to_macro_blocks():
    assert frame_size("320x240") == (320, 240)
    assert frame_size("330x250") == (336, 256)
    with pytest.raises(ValueError):
        frame_size("big")


def test_orbit_turns_around_the_clot_at_a_fixed_distance():
    domain = np.array([40.0, 40.0, 20.0])
    box = focus_box(domain, (np.array([15.0, 15, 8]), np.array([25.0, 25, 12])), SPACING)
    assert np.all(box[0] <= [15, 15, 8]) and np.all(box[1] >= [25, 25, 12])
    views = [camera_position("orbit", domain, box, i, 4) for i in range(4)]
    focal = np.array(views[0][1])
    np.testing.assert_allclose(focal, (box[0] + box[1]) / 2)
    dist = [np.linalg.norm(np.array(v[0]) - focal) for v in views]
    np.testing.assert_allclose(dist, dist[0])
    # a quarter turn per frame: consecutive horizontal offsets are perpendicular
    off = [np.array(v[0])[:2] - focal[:2] for v in views]
    assert abs(np.dot(off[0], off[1])) < 1e-6 * np.dot(off[0], off[0])
    np.testing.assert_allclose(off[2], -off[0], atol=1e-9)


def test_clot_camera_frames_the_largest_clot():
    from alveosim.render.frames import clot_box
    from alveosim.render.snapshots import Snapshot

    occluded = np.zeros(SHAPE, dtype=np.uint8)
    occluded[1:3, 1:3, 3:5] = 1  # a small clot (8 voxels)
    occluded[9:14, 8:12, 3:5] = 1  # the largest clot (40 voxels)
    snap = Snapshot(folder=Path("."), step=0, time_s=0.0, phase="", spacing=SPACING, shape=SHAPE, cells={"occluded": occluded}, agents={})
    lo, hi = clot_box(snap)
    np.testing.assert_allclose(lo, np.array([9, 8, 3]) * SPACING)
    np.testing.assert_allclose(hi, np.array([14, 12, 5]) * SPACING)
    assert clot_box(Snapshot(folder=Path("."), step=0, time_s=0.0, phase="", spacing=SPACING, shape=SHAPE,
                             cells={"occluded": np.zeros(SHAPE, dtype=np.uint8)}, agents={})) is None


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    pytest.importorskip("pyvista")
    import imageio.v2 as imageio

    from alveosim.render.driver import render_run
    from alveosim.render.frames import RenderOptions

    out = {}
    for clot in (True, False):
        run = write_run(tmp_path_factory.mktemp(f"clot{clot}"), 3, clot)
        frames = render_run(run, run / "render", RenderOptions(size=(320, 240)), jobs=1, progress=False)
        out[clot] = (run, frames, [imageio.imread(f)[..., :3] for f in frames])
    return out


def test_frames_differ_from_background(rendered):
    for _, frames, images in rendered.values():
        assert len(frames) == 3
        for img in images:
            assert img.shape == (240, 320, 3)
            not_background = np.any(img != np.array(BACKGROUND, dtype=np.uint8), axis=-1)
            assert not_background.mean() > 0.05


def test_clot_colour_appears_only_with_a_clot(rendered):
    _, _, with_clot = rendered[True]
    _, _, without = rendered[False]
    assert clot_pixels(with_clot[0]) == 0          # the first snapshot has no clot yet
    assert clot_pixels(with_clot[-1]) > 50
    assert all(clot_pixels(img) == 0 for img in without)


def test_field_isosurfaces_and_volume_change_the_frame(rendered, tmp_path):
    import imageio.v2 as imageio

    from alveosim.render.driver import render_run
    from alveosim.render.frames import RenderOptions

    run, _, plain = rendered[False]
    for style in ("iso", "volume"):
        frames = render_run(run, tmp_path / style, RenderOptions(size=(320, 240), field="cxcl13", field_style=style),
                            jobs=1, progress=False)
        img = imageio.imread(frames[-1])[..., :3]
        assert np.count_nonzero(np.any(img != plain[-1], axis=-1)) > 500


@pytest.mark.parametrize("name", ["clot.mp4", "clot.gif"])
def test_movie_decodes_with_every_frame(rendered, tmp_path, name):
    import imageio.v3 as iio

    from alveosim.render.movie import write_movie

    _, frames, _ = rendered[True]
    movie = write_movie(frames, tmp_path / name, fps=4)
    decoded = iio.imread(movie, index=None)
    assert decoded.shape[0] == len(frames)
    assert decoded.shape[1:3] == (240, 320)


def test_render_command_writes_frames_and_movie(rendered, tmp_path):
    run, _, _ = rendered[True]
    proc = subprocess.run([sys.executable, "-m", "sim", "render", str(run), "--out", str(tmp_path), "--movie", "m.gif",
                           "--size", "160x128", "--camera", "orbit", "--no-progress"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert len(list(tmp_path.glob("frame_*.png"))) == 3 and (tmp_path / "m.gif").exists()


def test_render_selects_a_phase_and_steps_into_its_own_folder(rendered):
    """--phase and --steps pick snapshots; each kind of render gets its own
    folder under RUN_DIR/render, and a rerun replaces its frames."""
    run, _, _ = rendered[True]

    def render(*args):
        proc = subprocess.run([sys.executable, "-m", "sim", "render", str(run), "--size", "160x128", "--no-progress", *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        return proc

    assert render("--steps", "10:20", "--tissue", "off").returncode == 0
    assert len(list((run / "render" / "clot-tissue_off-steps_10-20").glob("frame_*.png"))) == 2
    assert render("--phase", "blood_flow", "--steps", "20:").returncode == 0
    assert len(list((run / "render" / "clot-slab-blood_flow-steps_20-").glob("frame_*.png"))) == 1
    missing = render("--phase", "conditioning")
    assert missing.returncode == 2 and "no snapshot matches (phases: blood_flow; steps 0..20)" in missing.stderr


def test_clot_view_zooms_on_the_clot(rendered):
    """The largest clot sits near the centre of the scene (left of the panel
    that holds the text, legend and scale bar) and fills a good part of it."""
    from alveosim.render.frames import SCENE_WIDTH

    _, _, images = rendered[True]
    img = images[-1]
    scene_w = int(SCENE_WIDTH * img.shape[1])
    scene = img[:, :scene_w].astype(int)
    ys, xs = np.nonzero((scene[..., 2] >= 90) & (scene[..., 2] > 3 * scene[..., 0]) & (scene[..., 2] > 2.5 * scene[..., 1]))
    assert len(xs) > 200
    assert abs(xs.mean() - scene_w / 2) < 0.15 * scene_w and abs(ys.mean() - img.shape[0] / 2) < 0.15 * img.shape[0]


def test_no_usable_opengl_gives_one_clear_line(tmp_path):
    pytest.importorskip("vtk")
    run = write_run(tmp_path / "run", 1, clot=False)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkXOpenGLRenderWindow"  # X11 without a display: VTK would segfault
    proc = subprocess.run([sys.executable, "-m", "sim", "render", str(run), "--no-progress"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("alveosim render: no usable OpenGL:") and "libegl1" in lines[0]
    assert not (run / "render").exists() or not list((run / "render").glob("*.png"))
