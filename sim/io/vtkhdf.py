"""VTKHDF files (VTK's own HDF5 layout, version 2.1) written with h5py only,
so ParaView and ``pyvista.read`` open them without alveosim.

Two dataset types are written: ``ImageData`` (the lattice: cubic cells with
cell data) and ``PolyData`` (agents: one vertex per point, point data).
Field data (read by VTK and shown by ParaView) holds what a viewer needs:
numbers, or strings (stored as variable-length ASCII, the only string type
VTK's reader takes). Extra facts for alveosim (step, time, config hash…) are
attributes of the file root, which VTK ignores.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from alveosim.io.atomic import atomic_path
from alveosim.io.attrs import plain

VERSION = (2, 1)


def _vtk_ready(a: np.ndarray) -> np.ndarray:
    """Cast types VTK's HDF reader does not take (bool, float16) to ones it does."""
    a = np.ascontiguousarray(a)
    if a.dtype == np.bool_:
        return a.astype(np.uint8)
    if a.dtype == np.float16:
        return a.astype(np.float32)
    return a


def _ascii(text: str) -> bytes:
    """``text`` in ASCII (µ -> u, ² -> ^2, β -> beta…)."""
    for a, b in (("µ", "u"), ("²", "^2"), ("³", "^3"), ("β", "beta"), ("–", "-"), ("·", "*")):
        text = text.replace(a, b)
    return text.encode("ascii", errors="replace")


def _root(f: h5py.File, kind: str, attrs: dict, field_data: dict | None) -> h5py.Group:
    for key, value in attrs.items():
        f.attrs[key] = value
    root = f.create_group("VTKHDF")
    root.attrs["Version"] = np.array(VERSION, dtype=np.int64)
    root.attrs.create("Type", np.bytes_(kind))
    if field_data:
        group = root.create_group("FieldData")
        for name, values in field_data.items():
            values = np.atleast_1d(np.asarray(values))
            if values.dtype.kind in "US":
                group.create_dataset(name, data=[_ascii(str(v)) for v in values], dtype=h5py.string_dtype("ascii"))
            else:
                group.create_dataset(name, data=_vtk_ready(values))
    return root


def write_image(path: str | Path, cell_data: dict[str, np.ndarray], spacing: float, origin=(0.0, 0.0, 0.0), attrs: dict | None = None,
                field_data: dict | None = None) -> Path:
    """Write an ImageData file of ``nx × ny × nz`` cubic cells of edge ``spacing``.

    cell_data: name -> host array ``[nx, ny, nz]`` (scalar) or ``[nx, ny, nz, c]``
    (c components), indexed (i, j, k) as alveosim's voxels; transposed here to
    VTK's x-fastest order. All arrays share one grid shape. ``field_data``:
    name -> numbers or strings for the whole dataset.
    """
    shapes = {a.shape[:3] for a in cell_data.values()}
    if len(shapes) != 1:
        raise ValueError(f"cell arrays of different grid shapes: {sorted(shapes)}")
    nx, ny, nz = shapes.pop()
    path = Path(path)
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        root = _root(f, "ImageData", attrs or {}, field_data)
        root.attrs["WholeExtent"] = np.array([0, nx, 0, ny, 0, nz], dtype=np.int64)
        root.attrs["Origin"] = np.asarray(origin, dtype=np.float64)
        root.attrs["Spacing"] = np.full(3, spacing, dtype=np.float64)
        root.attrs["Direction"] = np.eye(3, dtype=np.float64).ravel()
        cells = root.create_group("CellData")
        for name, a in cell_data.items():
            a = _vtk_ready(a)
            vtk_order = np.ascontiguousarray(a.transpose(2, 1, 0, *range(3, a.ndim)))
            cells.create_dataset(name, data=vtk_order)
    return path


def write_points(path: str | Path, points: np.ndarray, point_data: dict[str, np.ndarray], attrs: dict | None = None,
                 field_data: dict | None = None) -> Path:
    """Write a PolyData file of ``n`` points (``[n, 3]``, µm) with one vertex cell
    per point, ``point_data`` (name -> ``[n]`` or ``[n, c]`` host arrays) and
    ``field_data`` (as for :func:`write_image`)."""
    points = np.ascontiguousarray(points)
    n = points.shape[0]
    path = Path(path)
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        root = _root(f, "PolyData", attrs or {}, field_data)
        root.create_dataset("NumberOfPoints", data=np.array([n], dtype=np.int64))
        root.create_dataset("Points", data=points.reshape(n, 3))
        for topology in ("Vertices", "Lines", "Polygons", "Strips"):
            g = root.create_group(topology)
            cells = n if topology == "Vertices" else 0
            g.create_dataset("NumberOfCells", data=np.array([cells], dtype=np.int64))
            g.create_dataset("NumberOfConnectivityIds", data=np.array([cells], dtype=np.int64))
            g.create_dataset("Offsets", data=np.arange(cells + 1, dtype=np.int64))
            g.create_dataset("Connectivity", data=np.arange(cells, dtype=np.int64))
        pd = root.create_group("PointData")
        for name, a in point_data.items():
            a = _vtk_ready(a)
            pd.create_dataset(name, data=a.reshape(n, -1) if a.ndim > 2 else a)
    return path


def describe(path: str | Path) -> dict:
    """Type, size and the name, components and range of each array of a
    VTKHDF file (for ``alveosim inspect``); root attributes included."""
    with h5py.File(path, "r") as f:
        root = f["VTKHDF"]
        kind = root.attrs["Type"]
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
        out = {"type": kind, "attrs": {k: plain(v) for k, v in f.attrs.items()}}
        if kind == "ImageData":
            ext = root.attrs["WholeExtent"]
            out["cells"] = [int(ext[1] - ext[0]), int(ext[3] - ext[2]), int(ext[5] - ext[4])]
            out["spacing"] = float(root.attrs["Spacing"][0])
            group = root["CellData"]
        else:
            out["points"] = int(root["NumberOfPoints"][0])
            group = root["PointData"]
        out["arrays"] = {}
        for name, d in group.items():
            a = d[()]
            rng = (float(a.min()), float(a.max())) if a.size else (float("nan"), float("nan"))
            out["arrays"][name] = {"dtype": str(a.dtype), "shape": list(a.shape), "range": rng}
    return out
