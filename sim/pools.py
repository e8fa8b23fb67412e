"""Agent pools: struct-of-arrays storage of one species on the device.

Each pool has a fixed ``capacity`` (rows allocated), a live count ``n`` (rows
``[0, n)`` are agents) and a unique int64 ``uid`` per agent. Births append
children after the live agents in deterministic slots (prefix sum over the
parents' child counts); deaths compact the survivors in order; a pool grows
(doubling) between steps when births would overflow it, so no birth is lost.

A pool may keep its counts on the device (:meth:`AgentPool.count_on_device`):
``counter`` (int64 [3]: live rows, next uid, births lost to a full pool) is
then the truth, kernels read and advance it, and :meth:`AgentPool.compact`
removes agents without the host knowing how many. ``n`` and ``next_uid``
read the counter (one transfer) only when the host asks after such a change
(logging, checkpoints, growing); rows at or past the live count stay zero.
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
        self.counter = None
        self._stale = False
        self._n = 0
        self._next_uid = int(next_uid)
        self._compaction = None
        self.capacity = 0
        self.arrays: dict = {}
        self._allocate(max(1, int(capacity)))

    # -- counts ----------------------------------------------------------
    @property
    def n(self) -> int:
        """Live agents (a transfer when the device changed the count)."""
        if self._stale:
            self._read_counter()
        return self._n

    @n.setter
    def n(self, value: int) -> None:
        old = self.n
        self._n = int(value)
        if self.counter is not None:
            if self._n < old:  # keep the rows past the live ones zero
                for arr in self.arrays.values():
                    arr[self._n : old] = 0
            self._write_counter()

    @property
    def next_uid(self) -> int:
        """The uid the next agent gets (a transfer when the device changed it)."""
        if self._stale:
            self._read_counter()
        return self._next_uid

    @next_uid.setter
    def next_uid(self, value: int) -> None:
        self.n  # settle the host copy first
        self._next_uid = int(value)
        self._write_counter()

    def count_on_device(self) -> None:
        """From now on keep ``n`` and ``next_uid`` in the device ``counter``
        (int64 [3]: live rows, next uid, births lost because the pool was
        full), advanced by kernels; the host reads it only when asked."""
        if self.counter is None:
            self.counter = self.backend.xp.zeros(3, dtype=np.int64)
            self._write_counter()

    def device_changed(self) -> None:
        """The device changed ``counter``: the host copies are out of date."""
        self._stale = True

    def _write_counter(self) -> None:
        if self.counter is not None:
            self.counter[:] = self.backend.asarray(np.array([self._n, self._next_uid, 0], dtype=np.int64))

    def _read_counter(self) -> None:
        n, next_uid, lost = (int(v) for v in self.backend.to_host(self.counter))
        self._n, self._next_uid, self._stale = n, next_uid, False
        if lost:
            raise PoolCapacityError(
                f"species {self.species.name!r}: {lost:,} births did not fit the pool's {self.capacity:,} rows "
                f"between two checks of its size; give the species a larger initial capacity"
            )

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
        self._compaction = None

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

    def compact(self, dead):
        """Remove live agents where ``dead[i]`` (device bool [capacity]) on the
        device, survivors in order, rows past them zeroed; the pool must count
        on the device (:meth:`count_on_device`). Returns the number removed as
        a device int64 [1] (no transfer). The CPU moves the live rows in place
        serially (kernels/cpu/pools.py); CUDA gathers each field through a
        scratch array after a prefix sum (kernels/cuda/pools.py)."""
        k = self.backend.kernels("pools")
        if self.backend.name == "cpu":
            removed = np.zeros(1, dtype=np.int64)
            for arr in self.arrays.values():
                k.compact_field(self.counter, dead, arr)
            k.compact_count(self.counter, dead, removed)
        else:
            keep, views = self._compaction_scratch()
            k.survivors(self.capacity, self.counter, dead, keep)
            kept = self.backend.xp.cumsum(keep)
            for name, arr in self.arrays.items():
                field = arr.reshape(self.capacity, -1)
                k.gather_survivors(self.capacity, keep, kept, field, views[name])
                field[...] = views[name]
            removed = self.counter[0:1] - kept[-1:]
            self.counter[0:1] = kept[-1:]
        self.device_changed()
        return removed

    def _compaction_scratch(self):
        """(keep: int64 [capacity], {field: [capacity, k] view in the field's
        dtype of one scratch buffer as wide as the widest field}) for the
        CUDA compaction, allocated once per capacity."""
        if self._compaction is None:
            xp = self.backend.xp
            fields = {name: (np.dtype(dtype), int(np.prod(shape, dtype=np.int64))) for name, (dtype, shape) in self.species.all_fields().items()}
            scratch = xp.zeros(self.capacity * max(dtype.itemsize * width for dtype, width in fields.values()), dtype=np.uint8)
            views = {name: scratch[: self.capacity * dtype.itemsize * width].view(dtype).reshape(self.capacity, width) for name, (dtype, width) in fields.items()}
            self._compaction = (xp.zeros(self.capacity, dtype=np.int64), views)
        return self._compaction

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
