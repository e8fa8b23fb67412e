"""What the blood operations share, rebuilt in ``attach``: the voxel
geometry of the blood (from the lattice's ``labels``) and the platelet cell
list of the current step."""

from __future__ import annotations

import numpy as np

from alveosim.blood import ledger
from alveosim.labels import BLOOD, INLET
from alveosim.neighbours import CellList


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
    aggregation distances), built at most once per step: platelets move only
    in transport, which acts before binding and aggregation."""

    def __init__(self, backend, geometry: BloodGeometry, cutoff: float, agents: int = 0):
        self.cells = CellList(backend, np.zeros(3), geometry.box_hi, cutoff, agents)
        self._key = None

    def refresh(self, state):
        """The cell list of the platelets as they are now in this step."""
        pool = state.pool("platelet")
        key = (state.step, pool.n)
        if key != self._key:
            self.cells.build(pool.arrays["pos"], pool.n)
            self._key = key
        return self.cells


class BloodContext:
    """Geometry and cell list, built once on the first operation's attach;
    ``aggregated_at``: the last step in which platelets aggregated; removals
    deferred to the step's one transfer of counts (:meth:`settle`)."""

    def __init__(self, cutoff: float):
        self.cutoff = cutoff
        self.aggregated_at = -1
        self.pending: list = []
        self.geometry: BloodGeometry | None = None
        self.platelet_cells: PlateletCells | None = None

    def defer_removal(self, pool, dead, key: str) -> None:
        """Remove ``pool``'s agents where ``dead`` (device bool [n]) at the next
        :meth:`settle`, counting them under ledger entry ``key``; nothing may
        read or change the pool before then."""
        if any(p is pool for p, _, _ in self.pending):
            raise RuntimeError(f"blood: a removal from {pool.species.name!r} is already pending; settle it first")
        self.pending.append((pool, dead, key))

    def settle(self, state, counts=()) -> list[int]:
        """Read the device counts ``counts`` and the sizes of the deferred
        removals in one transfer; apply the removals and their ledger
        entries. Returns the host values of ``counts``."""
        pending, self.pending = self.pending, []
        xp = state.backend.xp
        values = state.backend.scalars([*counts, *(xp.count_nonzero(dead) for _, dead, _ in pending)])
        for (pool, dead, key), removed in zip(pending, values[len(counts):]):
            pool.remove(dead, removed)
            ledger.add(state, key, removed)
        return values[: len(counts)]

    def ensure(self, sim) -> None:
        if self.geometry is None:
            self.geometry = BloodGeometry(sim)
            self.platelet_cells = PlateletCells(sim.backend, self.geometry, self.cutoff, sim.state.pool("platelet").capacity)
