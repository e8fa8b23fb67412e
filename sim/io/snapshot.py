"""Snapshots for viewing: one folder per snapshot step holding a VTKHDF
ImageData file of the lattice and fields and one PolyData file per agent
species, all readable by ``pyvista.read`` and ParaView without alveosim::

    RUN_DIR/snapshots/step_0000000100/lattice.vtkhdf
    RUN_DIR/snapshots/step_0000000100/<species>.vtkhdf

What goes in is found generically in ``state.arrays`` and ``state.pools``:
arrays shaped like the voxel grid ``[nx, ny, nz]`` (scalars), ``[nx, ny, nz, c]``
(vectors) or ``[m, nx, ny, nz]`` (m scalars; ``fields`` is split by the field
names) become cell data; other arrays (face fluxes) are left to checkpoints.
Each species' ``pos`` gives the points and every other field point data.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sim.io.vtkhdf import write_image, write_points


def snapshot_dir(directory: str | Path, step: int) -> Path:
    return Path(directory) / f"step_{step:010d}"


def cell_arrays(sim) -> dict[str, np.ndarray]:
    """Host copies of every grid-shaped array of the state, split into named
    scalars and vectors ``[nx, ny, nz(, c)]``."""
    grid = tuple(sim.config.domain.shape)
    out = {}
    for name, arr in sim.state.arrays.items():
        shape = tuple(arr.shape)
        if shape == grid or (len(shape) == 4 and shape[:3] == grid and shape[3] <= 9):
            out[name] = sim.backend.to_host(arr)
        elif len(shape) == 4 and shape[1:] == grid:
            host = sim.backend.to_host(arr)
            names = _component_names(sim, name, shape[0])
            for i, label in enumerate(names):
                out[label] = host[i]
    return out


def _component_names(sim, name: str, m: int) -> list[str]:
    fields = getattr(sim, "fields", None)
    names = list(getattr(fields, "names", []) or []) if name == "fields" else []
    return names if len(names) == m else [f"{name}_{i}" for i in range(m)]


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


def write_snapshot(sim, directory: str | Path, max_agents: int | None = None) -> list[Path]:
    """Write the snapshot of the current step; returns the files written."""
    from sim.config import config_hash

    st = sim.state
    folder = snapshot_dir(directory, st.step)
    folder.mkdir(parents=True, exist_ok=True)
    common = {"alveosim_step": np.int64(st.step), "alveosim_time_s": np.float64(st.time),
              "alveosim_phase": sim.phase_name(st.phase_index), "alveosim_config_hash": config_hash(sim.config)}
    written = []
    cells = cell_arrays(sim)
    if cells:
        written.append(write_image(folder / "lattice.vtkhdf", cells, sim.config.domain.voxel, attrs=common))
    for name, pool in st.pools.items():
        points, data, m = agent_points(pool, max_agents)
        sp = pool.species
        attrs = dict(common, alveosim_species=name, alveosim_count=np.int64(pool.n), alveosim_written=np.int64(m),
                     alveosim_subsampled=np.int8(m < pool.n), alveosim_states=json.dumps(list(sp.states)),
                     alveosim_units=json.dumps(sp.units))
        written.append(write_points(folder / f"{name}.vtkhdf", points, data, attrs=attrs))
    return written
