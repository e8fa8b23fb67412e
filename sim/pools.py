"""Agent pools: struct-of-arrays storage of one species on the device.

Each pool has a fixed ``capacity`` (rows allocated), a live count ``n`` (rows
``[0, n)`` are agents) and a unique int64 ``uid`` per agent. Births append
children after the live agents in deterministic slots (prefix sum over the
parents' child counts); deaths compact the survivors in order; a pool grows
(doubling) between steps when births would overflow it, so no birth is lost.
"""

from __future__ import annotations

import numpy as np

from alveosim.backend import Backend
from alveosim.species import UID_FIELD, Species


class PoolCapacityError(MemoryError):
    """A pool could not be allocated or grown (device memory)."""


class AgentPool:
    """Struct-of-arrays agents of one species.

    ``arrays[name]`` is a device array of shape ``[capacity, *trailing]``;
    use :meth:`live` for the ``[n, *trailing]`` view of live agents.
    """

    def __init__(self, species: Species, capacity: int, backend: Backend, next_uid: int = 0):
        self.species = species
        self.backend = backend
        self.n = 0
        self.next_uid = int(next_uid)
        self.capacity = 0
        self.arrays: dict = {}
        self._allocate(max(1, int(capacity)))

    # -- storage ---------------------------------------------------------
    def _allocate(self, capacity: int) -> None:
        xp = self.backend.xp
        new = {}
        try:
            for name, (dtype, shape) in self.species.all_fields().items():
                arr = xp.zeros((capacity, *shape), dtype=dtype)
                if self.n:
                    arr[: self.n] = self.arrays[name][: self.n]
                new[name] = arr
        except Exception as exc:  # MemoryError, cupy OutOfMemoryError
            if not _is_out_of_memory(exc):
                raise
            need = capacity * self.species.bytes_per_agent()
            raise PoolCapacityError(
                f"species {self.species.name!r}: cannot allocate a pool of {capacity:,} agents "
                f"({need / 2**20:,.1f} MiB at {self.species.bytes_per_agent()} B/agent; "
                f"{self.n:,} live): {exc}. Lower the agent count or use a device with more memory."
            ) from None
        self.arrays = new
        self.capacity = capacity

    def grow(self, min_capacity: int) -> None:
        """Reallocate to at least ``min_capacity`` rows (doubling), keeping agents."""
        if min_capacity <= self.capacity:
            return
        self._allocate(max(min_capacity, 2 * self.capacity))

    def live(self, name: str):
        """Device view ``[n, *trailing]`` of field ``name`` for live agents."""
        return self.arrays[name][: self.n]

    @property
    def uid(self):
        return self.live(UID_FIELD)

    # -- population changes ---------------------------------------------
    def add(self, values: dict[str, np.ndarray]) -> None:
        """Append agents from host arrays (fields not given are zero); new uids."""
        counts = {len(v) for v in values.values()}
        if len(counts) != 1:
            raise ValueError(f"{self.species.name}: add() got arrays of different lengths {sorted(counts)}")
        m = counts.pop()
        unknown = set(values) - set(self.species.all_fields())
        if unknown:
            raise KeyError(f"{self.species.name}: unknown fields {sorted(unknown)}")
        self.grow(self.n + m)
        for name, arr in values.items():
            dtype, _ = self.species.all_fields()[name]
            self.arrays[name][self.n : self.n + m] = self.backend.asarray(np.asarray(arr), dtype=dtype)
        self.arrays[UID_FIELD][self.n : self.n + m] = self.backend.xp.arange(self.next_uid, self.next_uid + m, dtype=np.int64)
        self.n += m
        self.next_uid += m

    def spawn(self, children_per_agent):
        """Give each live agent ``children_per_agent[i]`` (int, device ``[n]``) children.

        Children copy their parent's fields, get fresh uids in parent order and
        occupy rows ``[n_old, n_old + total)``. The pool grows first if needed.
        Returns ``(first_row, total, parent_row)`` with ``parent_row`` a device
        int64 ``[total]`` array, so the caller can modify the children.
        """
        xp = self.backend.xp
        counts = children_per_agent[: self.n].astype(np.int64)
        inclusive = xp.cumsum(counts)
        total = int(self.backend.scalar(inclusive[-1])) if self.n else 0
        first = self.n
        if total == 0:
            return first, 0, xp.zeros(0, dtype=np.int64)
        self.grow(self.n + total)
        parent = xp.searchsorted(inclusive, xp.arange(total, dtype=np.int64), side="right").astype(np.int64)
        for name, arr in self.arrays.items():
            arr[first : first + total] = arr[parent]
        self.arrays[UID_FIELD][first : first + total] = xp.arange(self.next_uid, self.next_uid + total, dtype=np.int64)
        self.n += total
        self.next_uid += total
        return first, total, parent

    def append(self, count: int) -> int:
        """Add ``count`` agents with zeroed fields and fresh uids after the live
        ones (growing first if needed); returns their first row, so the caller
        fills rows ``[first, first + count)`` on the device."""
        first = self.n
        if count <= 0:
            return first
        self.grow(self.n + count)
        for arr in self.arrays.values():
            arr[first : first + count] = 0
        self.arrays[UID_FIELD][first : first + count] = self.backend.xp.arange(self.next_uid, self.next_uid + count, dtype=np.int64)
        self.n += count
        self.next_uid += count
        return first

    def remove(self, dead, removed: int | None = None) -> int:
        """Remove live agents where ``dead[i]`` is true (device ``[n]`` bool);
        survivors keep their order. Returns the number removed.

        ``removed``: the number of true entries when the caller already has it
        on the host; the survivors are then gathered without a transfer (the
        k-th survivor is the first row whose running count of survivors
        exceeds k), else their count is read from the device."""
        xp = self.backend.xp
        alive = ~dead[: self.n].astype(bool)
        if removed is None:
            keep = xp.flatnonzero(alive)
            removed = self.n - int(keep.shape[0])
        elif removed:
            keep = xp.searchsorted(xp.cumsum(alive), xp.arange(self.n - removed, dtype=np.int64), side="right")
        if removed:
            m = self.n - removed
            for arr in self.arrays.values():
                arr[:m] = arr[keep]
            self.n = m
        return removed

    # -- host views (logging, checkpoints, tests) -------------------------
    def to_host(self) -> dict[str, np.ndarray]:
        """Live agents as host arrays, one per field."""
        return {name: self.backend.to_host(arr[: self.n]) for name, arr in self.arrays.items()}


def _is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    name = type(exc).__name__
    text = str(exc).lower()
    return "OutOfMemory" in name or "out of memory" in text or "array is too big" in text
