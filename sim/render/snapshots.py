"""Reading the snapshot folders of a run (``RUN_DIR/snapshots/step_*``) with
h5py only: the voxel grid and the agents' positions and states, as numpy."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np


@dataclass
class Agents:
    """One species in one snapshot: ``points [m, 3] float32, µm``, ``state
    [m] uint8`` (None when the species has no states), state names, and the
    pool size ``count`` (``m < count`` when the snapshot was subsampled)."""

    points: np.ndarray
    state: np.ndarray | None
    states: tuple[str, ...]
    count: int


@dataclass
class Snapshot:
    """One snapshot folder: grid arrays ``[nx, ny, nz]`` (alveosim's (i, j, k)
    order) by name, voxel edge ``spacing`` (µm), time (s), step, phase and
    the agents by species name."""

    folder: Path
    step: int
    time_s: float
    phase: str
    spacing: float
    shape: tuple[int, int, int]
    cells: dict[str, np.ndarray] = field(default_factory=dict)
    agents: dict[str, Agents] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # grid array name -> unit ("pM")

    @property
    def size_um(self) -> np.ndarray:
        """Domain edge lengths ``[3]`` (µm)."""
        return np.asarray(self.shape, dtype=np.float64) * self.spacing


def snapshot_folders(run_dir: str | Path) -> list[Path]:
    """The snapshot folders of a run, in step order."""
    root = Path(run_dir) / "snapshots"
    folders = [p for p in root.glob("step_*") if p.is_dir() and (p / "lattice.vtkhdf").exists()]
    return sorted(folders, key=lambda p: int(p.name[5:]))


def snapshot_step_phase(folder: str | Path) -> tuple[int, str]:
    """(step, phase name) of a snapshot folder, read from its lattice file's attributes."""
    with h5py.File(Path(folder) / "lattice.vtkhdf", "r") as f:
        return int(f.attrs.get("alveosim_step", 0)), _text(f.attrs.get("alveosim_phase", ""))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def read_snapshot(folder: str | Path, cell_names: tuple[str, ...] = ("labels", "occluded"),
                  species: tuple[str, ...] | None = None) -> Snapshot:
    """Read the named grid arrays (those present) and the agents of
    ``species`` (None: all) of one snapshot folder."""
    folder = Path(folder)
    with h5py.File(folder / "lattice.vtkhdf", "r") as f:
        root = f["VTKHDF"]
        ext = root.attrs["WholeExtent"]
        shape = (int(ext[1] - ext[0]), int(ext[3] - ext[2]), int(ext[5] - ext[4]))
        snap = Snapshot(folder, int(f.attrs.get("alveosim_step", 0)), float(f.attrs.get("alveosim_time_s", 0.0)),
                        _text(f.attrs.get("alveosim_phase", "")), float(root.attrs["Spacing"][0]), shape)
        if "FieldData" in root and "units" in root["FieldData"]:
            for entry in root["FieldData"]["units"][()]:
                name, _, unit_text = _text(entry).partition(": ")
                snap.units[name] = unit_text
        for name in cell_names:
            if name in root["CellData"]:
                a = root["CellData"][name][()]
                snap.cells[name] = a.transpose(2, 1, 0, *range(3, a.ndim))  # VTK (z, y, x) -> (i, j, k)
    for path in sorted(folder.glob("*.vtkhdf")):
        if path.stem == "lattice" or (species is not None and path.stem not in species):
            continue
        with h5py.File(path, "r") as f:
            root = f["VTKHDF"]
            points = root["Points"][()].astype(np.float32, copy=False)
            state = root["PointData"]["state"][()] if "state" in root["PointData"] else None
            states = tuple(json.loads(_text(f.attrs.get("alveosim_states", "[]"))))
            count = int(f.attrs.get("alveosim_count", len(points)))
        snap.agents[path.stem] = Agents(points, state, states, count)
    return snap
