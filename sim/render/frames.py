"""One frame from one snapshot folder: the scene (translucent septa and
capillary sheet, whole, faint or cut to a slab around the clot; clots as
enlarged spheres in a colour that stands out from the blood; agents coloured
by state; an optional field) and, in a panel beside it, the simulated time,
legend, colour bar with units and scale bar, rendered off-screen to PNG.

A clot is the union of occluded voxels and voxels holding aggregated
platelets (the camera frames the largest); aggregated platelets are drawn as
spheres, occluded voxels as a translucent surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alveosim import labels
from alveosim.render import gl
from alveosim.render.camera import nice_length
from alveosim.render.palette import (BACKGROUND, CAPILLARY, CLOT, CLOT_GLYPH_RADIUS, DEFAULT_STYLE, SEPTUM, STYLE,
                                TISSUE_OPACITY, state_colours, unit)
from alveosim.render.snapshots import Snapshot, read_snapshot

AGGREGATED = "aggregated"


@dataclass(frozen=True)
class View:
    """A parallel camera (``position``, ``focal_point``, ``up``, µm;
    ``parallel_scale``: half the visible height, µm), the box it frames
    (``(lo [3], hi [3])``, µm) and the tissue slab around the clot
    (``(normal [3], centre [3], half thickness)`` in µm along the view
    direction; None: no clipping)."""

    position: tuple
    focal_point: tuple
    up: tuple
    parallel_scale: float
    box: tuple
    slab: tuple | None = None


TISSUE_MODES = ("slab", "faint", "off")
SCENE_WIDTH = 0.78  # fraction of the frame width for the 3D scene; the panel on its right holds text, legend, bars


@dataclass(frozen=True)
class RenderOptions:
    """What a frame shows. ``size`` (width, height) in pixels; ``species``
    None draws every species; ``field`` names a grid array drawn as
    ``field_style`` ``iso`` (three translucent isosurfaces) or ``volume``;
    each species is subsampled evenly to at most ``max_points`` points.
    ``tissue``: ``slab`` (septa and capillaries cut to a slab around the clot,
    as are the other agents), ``faint`` (all tissue, nearly transparent) or
    ``off``."""

    size: tuple[int, int] = (1280, 720)
    camera: str = "clot"
    species: tuple[str, ...] | None = None
    field: str | None = None
    field_style: str = "iso"
    max_points: int = 200_000
    tissue: str = "slab"

    @property
    def scene_aspect(self) -> float:
        """Width / height of the 3D scene's part of the frame."""
        return SCENE_WIDTH * self.size[0] / self.size[1]


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


def _in_slab(points: np.ndarray, slab) -> np.ndarray:
    """``[m] bool``: which of ``points [m, 3]`` (µm) lie inside ``slab``."""
    normal, centre, half = slab
    return np.abs((points - np.asarray(centre)) @ np.asarray(normal)) <= half


def _clip_to_slab(mesh, slab):
    """The part of ``mesh`` inside ``slab`` (two parallel clip planes)."""
    normal, centre, half = slab
    mesh = mesh.copy()
    mesh.point_data["slab_d"] = (np.asarray(mesh.points) - np.asarray(centre)) @ np.asarray(normal)
    return mesh.clip_scalar(scalars="slab_d", value=half, invert=True).clip_scalar(scalars="slab_d", value=-half, invert=False)


def _add_tissue(plotter, snap: Snapshot, options: RenderOptions, view: View, legend: list) -> None:
    lab = snap.cells.get("labels")
    if lab is None or options.tissue == "off":
        return
    septum_opacity, capillary_opacity = TISSUE_OPACITY[options.tissue]
    for mask, colour, opacity, text in (
        (np.isin(lab, (labels.SEPTUM, labels.POST)), SEPTUM, septum_opacity, "septum"),
        (np.isin(lab, labels.BLOOD), CAPILLARY, capillary_opacity, "capillary"),
    ):
        surf = mask_surface(mask, snap.spacing)
        if options.tissue == "slab" and view.slab is not None and surf.n_points:
            surf = _clip_to_slab(surf, view.slab)
        if surf.n_points:
            plotter.add_mesh(surf, color=unit(colour), opacity=opacity, smooth_shading=True)
            legend.append([text, unit(colour)])


def _add_clot(plotter, snap: Snapshot, legend: list) -> None:
    """Occluded voxels as a translucent surface and aggregated platelets as
    enlarged spheres, both in the clot colour."""
    import pyvista as pv

    shown = False
    occluded = snap.cells.get("occluded")
    if occluded is not None and occluded.any():
        surf = mask_surface(occluded.astype(bool), snap.spacing)
        if surf.n_points:
            plotter.add_mesh(surf, color=unit(CLOT), opacity=0.45, smooth_shading=True)
            shown = True
    plt = snap.agents.get("platelet")
    if plt is not None and plt.state is not None and AGGREGATED in plt.states:
        pts = plt.points[plt.state == plt.states.index(AGGREGATED)]
        if len(pts):
            glyphs = pv.PolyData(pts.astype(np.float64)).glyph(geom=pv.Sphere(radius=CLOT_GLYPH_RADIUS, theta_resolution=16, phi_resolution=12),
                                                               scale=False, orient=False)
            plotter.add_mesh(glyphs, color=unit(CLOT), smooth_shading=True, specular=0.3)
            shown = True
    if shown:
        legend.insert(0, ["clot (aggregated platelets)", unit(CLOT)])


def _add_agents(plotter, name: str, agents, options: RenderOptions, view: View, legend: list) -> None:
    import pyvista as pv

    keep = np.ones(len(agents.points), dtype=bool)
    if agents.state is not None and AGGREGATED in agents.states:
        keep &= agents.state != agents.states.index(AGGREGATED)  # drawn with the clot
    if options.tissue == "slab" and view.slab is not None and len(agents.points):
        keep &= _in_slab(agents.points, view.slab)
    points = agents.points[keep]
    if not len(points):
        return
    rows = _subsample(len(points), options.max_points)
    points = points[rows]
    colours = np.asarray(state_colours(name, agents.states), dtype=np.uint8)
    code = agents.state[keep][rows].astype(np.int64) if agents.state is not None else np.zeros(len(points), np.int64)
    rgb = colours[np.clip(code, 0, len(colours) - 1)]
    size, spheres = STYLE.get(name, DEFAULT_STYLE)
    cloud = pv.PolyData(points)
    cloud.point_data["rgb"] = rgb
    plotter.add_mesh(cloud, scalars="rgb", rgb=True, point_size=max(1.0, size * options.size[1] / 720),
                     render_points_as_spheres=spheres, lighting=spheres)
    for s in sorted(set(np.unique(code).tolist())):
        label = agents.states[s] if agents.states and s < len(agents.states) else name
        legend.append([f"{name} {label}" if agents.states else name, unit(tuple(int(c) for c in colours[min(s, len(colours) - 1)]))])


def _add_field(plotter, snap: Snapshot, options: RenderOptions):
    """The field's actor (None when it is uniform: nothing to draw)."""
    values = snap.cells[options.field].astype(np.float32)
    lo, hi = float(values.min()), float(values.max())
    if options.field_style == "volume":
        grid = _voxel_grid(values, snap.spacing, pad=False)
        return plotter.add_volume(grid, scalars="v", cmap="viridis", opacity="linear", clim=(lo, max(hi, lo + 1e-12)),
                                  show_scalar_bar=False)
    if hi > lo:
        grid = _voxel_grid(values, snap.spacing, pad=False)
        surf = grid.contour(list(lo + (hi - lo) * np.array([0.25, 0.5, 0.75])), scalars="v")
        if surf.n_points:
            return plotter.add_mesh(surf, scalars="v", cmap="viridis", clim=(lo, hi), opacity=0.3, show_scalar_bar=False)
    return None


def clock_text(seconds: float) -> str:
    """Simulated time to the hundredth of a second: ``'1 d 00:00:03.25'``
    (frames 0.25 s apart in a days-long run still differ)."""
    whole_minutes, sec = divmod(seconds, 60.0)
    hours, minutes = divmod(int(whole_minutes), 60)
    days, hours = divmod(hours, 24)
    return f"{days} d {hours:02d}:{minutes:02d}:{sec:05.2f}"


def cell_names(options: RenderOptions) -> tuple[str, ...]:
    return ("labels", "occluded") + ((options.field,) if options.field else ())


def _add_scale_bar(plotter, view: View, options: RenderOptions, font: int) -> None:
    """A bar of a round length (µm) in the side panel, drawn to the scene's scale."""
    import vtk

    width, height = options.size
    px_per_um = height / (2.0 * view.parallel_scale)
    panel_px = (1.0 - SCENE_WIDTH) * width
    length = nice_length(0.7 * panel_px / px_per_um)
    bar_px = length * px_per_um
    x0, y0 = 0.1 * panel_px, 0.06 * height
    points = vtk.vtkPoints()
    for x, y in ((x0, y0), (x0 + bar_px, y0), (x0, y0 - 0.012 * height), (x0, y0 + 0.012 * height),
                 (x0 + bar_px, y0 - 0.012 * height), (x0 + bar_px, y0 + 0.012 * height)):
        points.InsertNextPoint(x, y, 0.0)
    lines = vtk.vtkCellArray()
    for a, b in ((0, 1), (2, 3), (4, 5)):
        lines.InsertNextCell(2)
        lines.InsertCellPoint(a)
        lines.InsertCellPoint(b)
    poly = vtk.vtkPolyData()
    poly.SetPoints(points)
    poly.SetLines(lines)
    coordinate = vtk.vtkCoordinate()
    coordinate.SetCoordinateSystemToViewport()
    mapper = vtk.vtkPolyDataMapper2D()
    mapper.SetInputData(poly)
    mapper.SetTransformCoordinate(coordinate)
    actor = vtk.vtkActor2D()
    actor.SetMapper(mapper)
    actor.GetProperty().SetColor(0.0, 0.0, 0.0)
    actor.GetProperty().SetLineWidth(max(2.0, 3.0 * height / 720))
    plotter.renderer.AddActor(actor)
    label = f"{length:g} µm"
    plotter.add_text(label, position=(x0, y0 + 0.02 * height), font_size=font, color="black")


def _add_colour_bar(plotter, actor, snap: Snapshot, options: RenderOptions, font: int) -> None:
    """The field's colour bar with its unit, in the side panel above the scale bar."""
    import vtk

    unit_text = snap.units.get(options.field, "")
    bar = vtk.vtkScalarBarActor()
    bar.SetLookupTable(actor.mapper.lookup_table)
    bar.SetTitle(f"{options.field} ({unit_text})" if unit_text else options.field)
    bar.SetOrientationToHorizontal()
    bar.SetNumberOfLabels(3)
    bar.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
    bar.GetPositionCoordinate().SetValue(0.08, 0.12)
    bar.SetWidth(0.84)
    bar.SetHeight(0.12)
    for prop in (bar.GetTitleTextProperty(), bar.GetLabelTextProperty()):
        prop.SetColor(0.0, 0.0, 0.0)
        prop.SetFontSize(font)
        prop.BoldOff()
        prop.ItalicOff()
        prop.ShadowOff()
    bar.UnconstrainedFontSizeOn()
    plotter.renderer.AddActor(bar)


def render_snapshot(snap: Snapshot, out: str | Path, options: RenderOptions, view: View) -> Path:
    """Render ``snap`` to the PNG ``out`` as seen from ``view``; returns ``out``.
    The scene fills the left part of the frame; the panel on the right holds
    the time, the legend, the field's colour bar and the scale bar, so none of
    them covers the scene."""
    gl.configure_headless()
    import pyvista as pv

    if options.field and options.field not in snap.cells:
        raise KeyError(f"{snap.folder}: no grid array {options.field!r} to draw")
    if options.tissue not in TISSUE_MODES:
        raise ValueError(f"tissue mode {options.tissue!r}: choose one of {', '.join(TISSUE_MODES)}")
    width, height = options.size
    plotter = pv.Plotter(off_screen=True, window_size=[width, height], shape=(1, 2),
                         col_weights=[SCENE_WIDTH, 1.0 - SCENE_WIDTH], border=False)
    try:
        plotter.set_background(unit(BACKGROUND), all_renderers=True)
        legend: list = []
        plotter.subplot(0, 0)
        _add_tissue(plotter, snap, options, view, legend)
        _add_clot(plotter, snap, legend)
        for name, agents in snap.agents.items():
            if options.species is None or name in options.species:
                _add_agents(plotter, name, agents, options, view, legend)
        field_actor = _add_field(plotter, snap, options) if options.field else None
        plotter.camera_position = [view.position, view.focal_point, view.up]
        plotter.camera.parallel_projection = True
        plotter.camera.parallel_scale = view.parallel_scale
        plotter.renderer.ResetCameraClippingRange()

        plotter.subplot(0, 1)
        font = max(8, int(round(13 * height / 720)))
        plotter.add_text(f"t = {clock_text(snap.time_s)}\n{snap.phase}\nstep {snap.step:,}",
                         position="upper_left", font_size=font, color="black")
        if legend:
            rows = min(0.045 * len(legend), 0.5)
            plotter.add_legend(legend, bcolor="white", border=False, size=(0.95, rows), loc="center left", face="rectangle")
        if field_actor is not None:
            _add_colour_bar(plotter, field_actor, snap, options, font)
        _add_scale_bar(plotter, view, options, font)
        plotter.screenshot(str(out))
    finally:
        plotter.close()
    return Path(out)
def render_folder(folder: str | Path, out: str | Path, options: RenderOptions, view: View) -> Path:
    """Read the snapshot ``folder`` and render it to ``out`` (see :func:`render_snapshot`)."""
    return render_snapshot(read_snapshot(folder, cell_names(options)), out, options, view)
