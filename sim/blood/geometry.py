"""What the blood operations share, rebuilt in ``attach``: the voxel
geometry of the blood (from the lattice's ``labels``) and the platelet cell
list of the current step."""

from __future__ import annotations

import numpy as np

from alveosim.labels import BLOOD, INLET


class BloodGeometry:
    """Voxel edge ``h`` (µm), grid shape, and device int64 lists of flat
    voxel ids ((ix·ny + iy)·nz + iz) of blood and inlet voxels. Labels are
    fixed after the lattice is built; occlusion is read live from
    ``state.arrays["occluded"]``."""

    def __init__(self, sim):
        st = sim.state
        if "labels" not in st.arrays:
            raise KeyError("blood: state.arrays has no 'labels'; the blood clock needs a lattice (config section 'lattice:')")
        xp = sim.backend.xp
        self.h = float(sim.config.domain.voxel)
        self.shape = tuple(int(s) for s in st.arrays["labels"].shape)
        self.dims = sim.backend.asarray(np.array(self.shape, dtype=np.int64))
        flat = st.arrays["labels"].ravel()
        blood = xp.zeros(flat.shape, dtype=bool)
        for label in BLOOD:
            blood |= flat == label
        self.blood_mask = blood
        self.blood_voxels = xp.flatnonzero(blood).astype(np.int64)
        self.inlet_voxels = xp.flatnonzero(flat == INLET).astype(np.int64)
        self.n_blood = int(self.blood_voxels.shape[0])
        self.box_hi = np.array(sim.config.domain.size, dtype=np.float64)

    @property
    def voxel_volume(self) -> float:
        """µm³."""
        return self.h**3


class PlateletCells:
    """The platelet cell list (cutoff µm = the larger of the contact and
    aggregation distances), sized by the platelets, not by the grid: each
    platelet's cell id (rows past the live ones after every cell), the rows
    sorted by it (``order``) and the sorted ids (``sorted_keys``), all over
    the pool's capacity so the host never needs the live count. Built at most
    once per step: platelets move only in transport, which acts before
    binding and aggregation. Queries are order-free (the nearest within a
    radius, ties to the lower row), so the sort need not be stable."""

    def __init__(self, backend, geometry: BloodGeometry, cutoff: float):
        extent = np.asarray(geometry.box_hi, dtype=np.float64)
        dims = np.maximum(1, np.floor(extent / cutoff)).astype(np.int64)
        self.backend = backend
        self.dims = backend.asarray(dims)
        self.grid = backend.asarray(np.array([0.0, 0.0, 0.0, float(np.max(extent / dims))], dtype=np.float64))
        self.keys = backend.xp.zeros(0, dtype=np.int64)
        self.order = self.sorted_keys = self.keys
        self._k = backend.kernels("blood")
        self._step = None

    def refresh(self, state):
        """The cell list of the platelets as they are now in this step."""
        if state.step != self._step:
            pool = state.pool("platelet")
            xp = self.backend.xp
            if self.keys.shape[0] != pool.capacity:
                self.keys = xp.zeros(pool.capacity, dtype=np.int64)
            self._k.cell_keys(pool.capacity, pool.counter, pool.arrays["pos"], self.grid, self.dims, self.keys)
            self.order = xp.argsort(self.keys)
            self.sorted_keys = self.keys[self.order]
            self._step = state.step
        return self


class BloodContext:
    """Geometry and platelet cell list, built once on the first operation's
    attach, which also turns the EV and platelet pools to device counts
    (:meth:`alveosim.pools.AgentPool.count_on_device`): inside a blood step the
    host reads nothing from the device."""

    def __init__(self, cutoff: float):
        self.cutoff = cutoff
        self.geometry: BloodGeometry | None = None
        self.platelet_cells: PlateletCells | None = None
        self._scratch: dict = {}

    def scratch(self, backend, name: str, capacity: int, dtype):
        """Device array ``name`` of ``capacity`` rows shared by the blood
        operations of a step (reallocated, zero, when the capacity changes):
        ``ev_fate`` is written by transport and read by binding, which
        removes the EVs that left the blood and those that bound at once."""
        arr = self._scratch.get(name)
        if arr is None or arr.shape[0] != capacity:
            arr = self._scratch[name] = backend.xp.zeros(capacity, dtype=dtype)
        return arr

    def ensure(self, sim) -> None:
        if self.geometry is None:
            self.geometry = BloodGeometry(sim)
            self.platelet_cells = PlateletCells(sim.backend, self.geometry, self.cutoff)
        for name in ("ev", "platelet"):
            sim.state.pool(name).count_on_device()
