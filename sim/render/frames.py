"""One frame from one snapshot folder: the scene (translucent septa, the
capillary sheet, solid red clots, agents coloured by state, an optional
field), its legend, scale bar and simulated time, rendered off-screen to PNG.

A clot is the union of occluded voxels and voxels holding aggregated
platelets, drawn as the solid surface around those voxels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim import labels
from sim.format import format_seconds
from sim.render import gl
from sim.render.palette import (BACKGROUND, CAPILLARY, CLOT, DEFAULT_STYLE, SEPTUM, STYLE, state_colours,
                                unit)
from sim.render.snapshots import Snapshot, read_snapshot

AGGREGATED = "aggregated"


@dataclass(frozen=True)
class View:
    """A camera (``position``, ``focal_point``, ``up``; µm) and the box it
    frames (``(lo [3], hi [3])``, µm; the scale bar runs along its near bottom edge)."""

    position: tuple
    focal_point: tuple
    up: tuple
    box: tuple


@dataclass(frozen=True)
class RenderOptions:
    """What a frame shows. ``size`` (width, height) in pixels; ``species``
    None draws every species; ``field`` names a grid array drawn as
    ``field_style`` ``iso`` (three translucent isosurfaces) or ``volume``;
    each species is subsampled evenly to at most ``max_points`` points."""

    size: tuple[int, int] = (1280, 720)
    camera: str = "clot"
    species: tuple[str, ...] | None = None
    field: str | None = None
    field_style: str = "iso"
    max_points: int = 200_000


def clot_mask(snap: Snapshot) -> np.ndarray:
    """``[nx, ny, nz] bool``: occluded voxels and voxels holding aggregated platelets."""
    mask = snap.cells["occluded"].astype(bool) if "occluded" in snap.cells else np.zeros(snap.shape, dtype=bool)
    plt = snap.agents.get("platelet")
    if plt is not None and plt.state is not None and AGGREGATED in plt.states:
        pts = plt.points[plt.state == plt.states.index(AGGREGATED)]
        if len(pts):
            ijk = np.clip((pts / snap.spacing).astype(np.int64), 0, np.asarray(snap.shape) - 1)
            mask = mask.copy()
            mask[ijk[:, 0], ijk[:, 1], ijk[:, 2]] = True
    return mask


def clot_box(snap: Snapshot) -> tuple[np.ndarray, np.ndarray] | None:
    """Bounding box ``(lo [3], hi [3])`` (µm) of the largest clot (the biggest
    26-connected set of clot voxels), None without a clot."""
    from scipy import ndimage

    components, count = ndimage.label(clot_mask(snap), structure=np.ones((3, 3, 3), dtype=bool))
    if count == 0:
        return None
    largest = 1 + int(np.argmax(np.bincount(components.ravel())[1:]))
    idx = np.argwhere(components == largest)
    return idx.min(axis=0) * snap.spacing, (idx.max(axis=0) + 1) * snap.spacing


def _voxel_grid(values: np.ndarray, spacing: float, pad: bool):
    """ImageData with one point per voxel centre holding ``values`` (zero-padded
    by one voxel when ``pad``, so surfaces close at the domain's faces)."""
    import pyvista as pv

    v = np.pad(values, 1) if pad else values
    origin = -0.5 * spacing if pad else 0.5 * spacing
    grid = pv.ImageData(dimensions=v.shape, spacing=(spacing,) * 3, origin=(origin,) * 3)
    grid.point_data["v"] = np.asarray(v, dtype=np.float32).ravel(order="F")
    return grid


def mask_surface(mask: np.ndarray, spacing: float):
    """Smooth closed surface (PolyData, µm) around the True voxels of ``mask``."""
    return _voxel_grid(mask.astype(np.float32), spacing, pad=True).contour([0.5], scalars="v")


def _subsample(n: int, m: int) -> np.ndarray | slice:
    return slice(None) if n <= m else (np.arange(m, dtype=np.int64) * n) // m


def _add_agents(plotter, name: str, agents, options: RenderOptions, legend: list) -> None:
    import pyvista as pv

    if not len(agents.points):
        return
    rows = _subsample(len(agents.points), options.max_points)
    points = agents.points[rows]
    colours = np.asarray(state_colours(name, agents.states), dtype=np.uint8)
    code = agents.state[rows].astype(np.int64) if agents.state is not None else np.zeros(len(points), np.int64)
    rgb = colours[np.clip(code, 0, len(colours) - 1)]
    size, spheres = STYLE.get(name, DEFAULT_STYLE)
    cloud = pv.PolyData(points)
    cloud.point_data["rgb"] = rgb
    plotter.add_mesh(cloud, scalars="rgb", rgb=True, point_size=max(1.0, size * options.size[1] / 720),
                     render_points_as_spheres=spheres, lighting=spheres)
    for s, label in enumerate(agents.states or (name,)):
        if label == AGGREGATED:
            continue
        text = f"{name} {label}" if agents.states else name
        legend.append([text, unit(tuple(int(c) for c in colours[s]))])


def _add_field(plotter, snap: Snapshot, options: RenderOptions) -> None:
    values = snap.cells[options.field].astype(np.float32)
    lo, hi = float(values.min()), float(values.max())
    bar = {"title": options.field, "color": "black"}
    if options.field_style == "volume":
        grid = _voxel_grid(values, snap.spacing, pad=False)
        plotter.add_volume(grid, scalars="v", cmap="viridis", opacity="linear", clim=(lo, max(hi, lo + 1e-12)),
                           scalar_bar_args=bar)
    elif hi > lo:
        grid = _voxel_grid(values, snap.spacing, pad=False)
        surf = grid.contour(list(lo + (hi - lo) * np.array([0.25, 0.5, 0.75])), scalars="v")
        if surf.n_points:
            plotter.add_mesh(surf, scalars="v", cmap="viridis", clim=(lo, hi), opacity=0.3, scalar_bar_args=bar)


def cell_names(options: RenderOptions) -> tuple[str, ...]:
    return ("labels", "occluded") + ((options.field,) if options.field else ())


def render_snapshot(snap: Snapshot, out: str | Path, options: RenderOptions, view: View) -> Path:
    """Render ``snap`` to the PNG ``out`` as seen from ``view``; returns ``out``."""
    gl.configure_headless()
    import pyvista as pv

    if options.field and options.field not in snap.cells:
        raise KeyError(f"{snap.folder}: no grid array {options.field!r} to draw")
    width, height = options.size
    plotter = pv.Plotter(off_screen=True, window_size=[width, height])
    try:
        plotter.set_background(unit(BACKGROUND))
        legend: list = []
        lab = snap.cells.get("labels")
        if lab is not None:
            for mask, colour, opacity, text in (
                (np.isin(lab, (labels.SEPTUM, labels.POST)), SEPTUM, 0.18, "septum"),
                (np.isin(lab, labels.BLOOD), CAPILLARY, 0.3, "capillary"),
            ):
                surf = mask_surface(mask, snap.spacing)
                if surf.n_points:
                    plotter.add_mesh(surf, color=unit(colour), opacity=opacity, smooth_shading=True)
                    legend.append([text, unit(colour)])
        clot = mask_surface(clot_mask(snap), snap.spacing)
        if clot.n_points:
            plotter.add_mesh(clot, color=unit(CLOT), smooth_shading=True, specular=0.2)
            legend.append(["clot", unit(CLOT)])
        for name, agents in snap.agents.items():
            if options.species is None or name in options.species:
                _add_agents(plotter, name, agents, options, legend)
        if options.field:
            _add_field(plotter, snap, options)
        plotter.camera_position = [view.position, view.focal_point, view.up]
        lo, hi = view.box
        plotter.add_ruler((lo[0], lo[1], lo[2]), (hi[0], lo[1], lo[2]), title="µm", number_labels=3, label_color="black", tick_color="black",
                          font_size_factor=0.5, label_format="%.0f")
        font = max(8, int(round(14 * height / 720)))
        plotter.add_text(f"t = {format_seconds(snap.time_s)}   {snap.phase}   step {snap.step:,}",
                         position="upper_left", font_size=font, color="black")
        plotter.add_legend(legend, bcolor="white", border=True, size=(0.18, min(0.035 * len(legend), 0.5)),
                           loc="upper right", face="rectangle")
        plotter.screenshot(str(out))
    finally:
        plotter.close()
    return Path(out)


def render_folder(folder: str | Path, out: str | Path, options: RenderOptions, view: View) -> Path:
    """Read the snapshot ``folder`` and render it to ``out`` (see :func:`render_snapshot`)."""
    return render_snapshot(read_snapshot(folder, cell_names(options)), out, options, view)
