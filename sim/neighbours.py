"""Uniform cell lists over a box, rebuilt by counting sort, and radius queries."""

from __future__ import annotations

import numpy as np

from alveosim.backend import Backend


# A cell list has at most max(MIN_CELLS, CELLS_PER_AGENT x agent rows) cells, so
# its buffers follow the agents, not the volume of a large domain.
MIN_CELLS = 1 << 20
CELLS_PER_AGENT = 8


def cell_dims(extent, cutoff: float, agents: int = 0) -> np.ndarray:
    """Cells per axis (int64 [3]) for a box of ``extent`` µm ([3]): edges of
    at least ``cutoff`` µm, widened when the box would hold more than
    max(MIN_CELLS, CELLS_PER_AGENT · agents) cells."""
    extent = np.asarray(extent, dtype=np.float64)
    cap = max(MIN_CELLS, CELLS_PER_AGENT * int(agents))
    edge = max(float(cutoff), float(np.prod(extent) / cap) ** (1.0 / 3.0))
    return np.maximum(1, np.floor(extent / edge)).astype(np.int64)


class StaleCellList(RuntimeError):
    """A cell list read in a step other than the one its owner built it in."""


def check_current(cells, species: str, step: int, reader: str):
    """``cells`` when its staleness key ``built_step`` is ``step``, else
    StaleCellList naming the reader: a shared cell list is built once per
    step by its owner, and a reader never rebuilds it."""
    if cells.built_step != step:
        raise StaleCellList(f"{reader} read the {species} cell list in step {step}, but it was built in step {cells.built_step}; "
                            f"its owner must build it in this step before its readers")
    return cells


class CellList:
    """Cell list for agents in the box ``[lo, hi)`` (µm) with cells of edge
    ``>= cutoff`` so every neighbour within ``cutoff`` is in the 27 cells
    around an agent; ``agents`` (expected rows) bounds the cell count
    (:func:`cell_dims`); ``edge`` is the cell edge used (µm, >= cutoff). Buffers grow with the agent count, outside the kernels."""

    def __init__(self, backend: Backend, lo, hi, cutoff: float, agents: int = 0):
        lo = np.asarray(lo, dtype=np.float64)
        hi = np.asarray(hi, dtype=np.float64)
        if cutoff <= 0:
            raise ValueError(f"cell-list cutoff must be positive, got {cutoff}")
        dims = cell_dims(hi - lo, cutoff, agents)
        edge = float(np.max((hi - lo) / dims))
        self.backend = backend
        self.cutoff = float(cutoff)
        self.edge = edge
        self.dims = backend.asarray(dims)
        self.grid = backend.asarray(np.array([*lo, edge], dtype=np.float64))
        self.n_cells = int(np.prod(dims))
        xp = backend.xp
        self.cell_start = xp.zeros(self.n_cells + 1, dtype=np.int64)
        self.cursor = xp.zeros(self.n_cells, dtype=np.int64)
        self.cell_of = xp.zeros(0, dtype=np.int64)
        self.order = xp.zeros(0, dtype=np.int64)
        self.n = 0
        self._k = backend.kernels("neighbours")

    def build(self, pos, n: int) -> None:
        """Sort agents ``pos[:n]`` ([n, 3] float32, µm) into cells."""
        if self.cell_of.shape[0] < n:
            cap = max(n, 2 * self.cell_of.shape[0])
            self.cell_of = self.backend.xp.zeros(cap, dtype=np.int64)
            self.order = self.backend.xp.zeros(cap, dtype=np.int64)
        self.n = n
        self._k.assign_cells(n, pos, self.grid, self.dims, self.cell_of)
        self._k.counting_sort(n, self.cell_of, self.cell_start, self.cursor, self.order)

    def count_within(self, pos, radius: float, out) -> None:
        """out[i] (int32 [n]) = number of other agents within ``radius`` µm
        (``radius`` must not exceed the cutoff)."""
        self._check_radius(radius)
        empty = self.backend.xp.zeros(0, dtype=np.int64)
        self._k.count_within(self.n, pos, radius, self.cell_of, self.dims, self.cell_start, self.order, empty, out)

    def neighbours_within(self, pos, radius: float):
        """CSR neighbour lists: (offsets int64 [n+1], indices int64 [total])."""
        self._check_radius(radius)
        xp = self.backend.xp
        counts = xp.zeros(self.n, dtype=np.int64)
        self.count_within(pos, radius, counts)
        offsets = xp.zeros(self.n + 1, dtype=np.int64)
        offsets[1:] = xp.cumsum(counts)
        total = int(self.backend.scalar(offsets[-1]))
        out = xp.zeros(total, dtype=np.int64)
        self._k.list_within(self.n, pos, radius, self.cell_of, self.dims, self.cell_start, self.order, offsets, out)
        return offsets, out

    def _check_radius(self, radius: float) -> None:
        if radius > self.cutoff:
            raise ValueError(f"query radius {radius} um exceeds the cell-list cutoff {self.cutoff} um")
