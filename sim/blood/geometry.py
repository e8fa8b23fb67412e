"""What the blood operations share, rebuilt in ``attach``: the voxel
geometry of the blood (from the lattice's ``labels``) and the platelet cell
list of the current step, and the operation that builds it."""

from __future__ import annotations

import numpy as np

from alveosim.channels import LABELS, OCCLUDED, VELOCITY
from alveosim.labels import BLOOD, INLET
from alveosim.neighbours import check_current
from alveosim.operations import BLOOD as BLOOD_CLOCK
from alveosim.operations import Operation


class BloodGeometry:
    """Voxel edge ``h`` (µm), grid shape, and device int64 lists of flat
    voxel ids ((ix·ny + iy)·nz + iz) of blood and inlet voxels. Labels are
    fixed after the lattice is built; occlusion is read live from
    ``state.arrays[OCCLUDED]`` (the lattice's channels)."""

    def __init__(self, sim):
        st = sim.state
        for name in (LABELS, OCCLUDED, VELOCITY):
            sim.channels.require(name, "alveosim.blood")
        xp = sim.backend.xp
        self.h = float(sim.config.domain.voxel)
        self.shape = tuple(int(s) for s in st.arrays[LABELS].shape)
        self.dims = sim.backend.asarray(np.array(self.shape, dtype=np.int64))
        flat = st.arrays[LABELS].ravel()
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
    the pool's capacity so the host never needs the live count. One value
    per step: :class:`PlateletCellList` builds it after transport (platelets
    move only there) and binding and aggregation read it (:meth:`current`);
    ``built_step`` is its staleness key, and a read in another step fails
    (:class:`StaleCellList`) rather than rebuilding. Kernels take it as one
    argument group, ``*query`` = (grid, dims, sorted_keys, order). Queries
    are order-free (the nearest within a radius, ties to the lower row), so
    the sort need not be stable."""

    def __init__(self, backend, geometry: BloodGeometry, cutoff: float):
        extent = np.asarray(geometry.box_hi, dtype=np.float64)
        dims = np.maximum(1, np.floor(extent / cutoff)).astype(np.int64)
        self.backend = backend
        self.dims = backend.asarray(dims)
        self.grid = backend.asarray(np.array([0.0, 0.0, 0.0, float(np.max(extent / dims))], dtype=np.float64))
        self.keys = backend.xp.zeros(0, dtype=np.int64)
        self.order = self.sorted_keys = self.keys
        self._k = backend.kernels("blood")
        self.built_step = None

    def build(self, state) -> None:
        """Sort the platelets as they are now (the owner, once per step)."""
        pool = state.pool("platelet")
        xp = self.backend.xp
        if self.keys.shape[0] != pool.capacity:
            self.keys = xp.zeros(pool.capacity, dtype=np.int64)
        self._k.cell_keys(pool.capacity, pool.counter, pool.arrays["pos"], self.grid, self.dims, self.keys)
        self.order = xp.argsort(self.keys)
        self.sorted_keys = self.keys[self.order]
        self.built_step = state.step

    def current(self, state, reader: str) -> "PlateletCells":
        """This step's cell list for ``reader``; StaleCellList when it was built in another step."""
        return check_current(self, "platelet", state.step, reader)

    @property
    def query(self) -> tuple:
        """The kernels' argument group: (grid, dims, sorted_keys, order)."""
        return self.grid, self.dims, self.sorted_keys, self.order


class PlateletCellList(Operation):
    """Blood clock: the owner of the platelet cell list, built once per step
    after transport, before binding and aggregation read it."""

    name = "blood.platelet_cells"
    after = "blood.transport"
    before = frozenset({"blood.binding", "blood.aggregation"})
    clocks = frozenset({BLOOD_CLOCK})

    def __init__(self, context, trigger=None):
        super().__init__(trigger)
        self.context = context

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)

    def act(self, state, dt):
        self.context.platelet_cells.build(state)


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
