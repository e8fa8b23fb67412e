"""Snapshots for viewing: one folder per snapshot step holding a VTKHDF
ImageData file of the lattice and fields and one PolyData file per agent
species, all readable by ``pyvista.read`` and ParaView without alveosim,
and one time-series index per dataset kind that ParaView (and
``pyvista.get_reader``) opens as one animated dataset::

    RUN_DIR/snapshots/step_0000000100/lattice.vtkhdf
    RUN_DIR/snapshots/step_0000000100/<species>.vtkhdf
    RUN_DIR/snapshots/lattice.vtkhdf.series      # {"files": [{"name", "time" (s)}…]}
    RUN_DIR/snapshots/<species>.vtkhdf.series

What goes in is found generically in ``state.arrays`` and ``state.pools``:
arrays shaped like the voxel grid ``[nx, ny, nz]`` (scalars), ``[nx, ny, nz, c]``
(vectors) or ``[m, nx, ny, nz]`` (m scalars; ``fields`` is split by the field
names) become cell data, except arrays declared internal (:mod:`alveosim.arrays`);
other arrays (face fluxes) are left to checkpoints. Each species' ``pos``
gives the points and every other field point data.

Each file's field data: ``TimeValue`` (simulated time, s), ``step``,
``phase``, ``units`` (``"array: unit"`` strings) and, for each categorical
array, ``<array>_names`` (the name of code 0, 1, 2…: ``state_names``,
``labels_names``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from alveosim.arrays import lookup
from alveosim.channels import FIELDS
from alveosim.io.atomic import atomic_path
from alveosim.io.vtkhdf import write_image, write_points

SERIES_SUFFIX = ".vtkhdf.series"


def snapshot_dir(directory: str | Path, step: int) -> Path:
    return Path(directory) / f"step_{step:010d}"


def cell_arrays(sim, stride: int = 1) -> dict[str, np.ndarray]:
    """Host copies of every grid-shaped array of the state that is not
    internal, split into named scalars and vectors ``[nx, ny, nz(, c)]``;
    with ``stride`` s > 1 only the centre voxel (index i·s + s//2 per axis)
    of each s³ block is kept (on the device, before the copy)."""
    grid = tuple(sim.config.domain.shape)
    pick = (slice(stride // 2, None, stride),) * 3
    out = {}
    for name, arr in sim.state.arrays.items():
        if lookup(name).internal:
            continue
        shape = tuple(arr.shape)
        if shape == grid or (len(shape) == 4 and shape[:3] == grid and shape[3] <= 9):
            out[name] = sim.backend.to_host(arr[pick])
        elif len(shape) == 4 and shape[1:] == grid:
            host = sim.backend.to_host(arr[(slice(None),) + pick])
            names = _component_names(sim, name, shape[0])
            for i, label in enumerate(names):
                out[label] = host[i]
    return out


def _component_names(sim, name: str, m: int) -> list[str]:
    fields = sim.channels.optional(FIELDS, __name__)
    names = list(getattr(fields, "names", []) or []) if name == "fields" else []
    return names if len(names) == m else [f"{name}_{i}" for i in range(m)]


def cell_units(sim, names) -> dict[str, str]:
    """Unit of each cell array: a field's declared unit, else the array's declaration."""
    fields = sim.channels.optional(FIELDS, __name__)
    field_units = dict(zip(fields.names, (s.unit for s in fields.specs))) if fields is not None else {}
    return {n: field_units.get(n) or lookup(n).unit for n in names if field_units.get(n) or lookup(n).unit}


def agent_points(pool, max_agents: int | None) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """Host ``(points [m, 3], point data, m)`` of a pool, evenly subsampled to
    at most ``max_agents`` rows (rows ``floor(i · n / m)``) when given."""
    n = pool.n
    xp = pool.backend.xp
    rows = None
    if max_agents is not None and n > max_agents:
        rows = (xp.arange(max_agents, dtype=np.int64) * n) // max_agents
    data = {}
    for name in pool.species.all_fields():
        live = pool.live(name)
        data[name] = pool.backend.to_host(live[rows] if rows is not None else live)
    points = data.pop("pos") if "pos" in data else np.zeros((len(data["uid"]), 3), dtype=np.float32)
    return points, data, len(points)


def _field_data(time_s: float, step: int, phase: str, units: dict[str, str], categories: dict[str, tuple]) -> dict:
    out = {"TimeValue": np.float64(time_s), "step": np.int64(step), "phase": np.array([phase])}
    if units:
        out["units"] = np.array([f"{k}: {v}" for k, v in units.items()])
    for name, names in categories.items():
        out[f"{name}_names"] = np.array(list(names))
    return out


def update_series(directory: Path, kind: str, step: int, time_s: float) -> Path:
    """Add ``step_<step>/<kind>.vtkhdf`` at ``time_s`` (s) to the ParaView
    file-series index ``directory/<kind>.vtkhdf.series``. Entries at or
    after ``time_s`` (from a run resumed at an earlier checkpoint, now
    rewritten) are dropped first. Written atomically."""
    path = Path(directory) / f"{kind}{SERIES_SUFFIX}"
    files = json.loads(path.read_text())["files"] if path.exists() else []
    files = [f for f in files if f["time"] < time_s]
    files.append({"name": f"{snapshot_dir('', step).name}/{kind}.vtkhdf", "time": time_s})
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps({"file-series-version": "1.0", "files": files}, indent=1) + "\n")
    return path


def write_snapshot(sim, directory: str | Path, max_agents: int | None = None, field_stride: int = 1) -> list[Path]:
    """Write the snapshot of the current step and add it to the series
    indexes; returns the files written. Pools above ``max_agents`` rows are
    subsampled; grid arrays keep every ``field_stride``-th voxel per axis, as
    an image of cells ``field_stride`` voxels wide centred on the kept voxels."""
    from alveosim.config import config_hash

    st = sim.state
    folder = snapshot_dir(directory, st.step)
    folder.mkdir(parents=True, exist_ok=True)
    phase = sim.phase_name(st.phase_index)
    common = {"alveosim_step": np.int64(st.step), "alveosim_time_s": np.float64(st.time),
              "alveosim_phase": phase, "alveosim_config_hash": config_hash(sim.config)}
    written = []
    cells = cell_arrays(sim, field_stride)
    if cells:
        categories = {n: lookup(n).categories for n in cells if lookup(n).categories}
        fd = _field_data(st.time, st.step, phase, cell_units(sim, cells), categories)
        h = sim.config.domain.voxel
        origin = (field_stride // 2 - (field_stride - 1) / 2) * h  # cell centres on the kept voxels' centres
        attrs = dict(common, alveosim_field_stride=np.int64(field_stride))
        written.append(write_image(folder / "lattice.vtkhdf", cells, h * field_stride, origin=(origin,) * 3, attrs=attrs, field_data=fd))
    for name, pool in st.pools.items():
        points, data, m = agent_points(pool, max_agents)
        sp = pool.species
        attrs = dict(common, alveosim_species=name, alveosim_count=np.int64(pool.n), alveosim_written=np.int64(m),
                     alveosim_subsampled=np.int8(m < pool.n), alveosim_states=json.dumps(list(sp.states)),
                     alveosim_units=json.dumps(sp.units))
        fd = _field_data(st.time, st.step, phase, sp.units, {"state": sp.states} if sp.states else {})
        fd["count"] = np.int64(pool.n)
        written.append(write_points(folder / f"{name}.vtkhdf", points, data, attrs=attrs, field_data=fd))
    for path in written:
        update_series(Path(directory), path.stem, st.step, st.time)
    return written
