"""The time-series logger: one row of named scalars per logged step, kept in
memory and appended (flushed) to ``RUN_DIR/timeseries.csv`` as the run goes.

The columns are declared before the first row (:meth:`TimeSeries.declare`,
from every operation's :meth:`~alveosim.operations.Operation.columns`): the
header is the declared names, a value missing from a row is NaN (``nan`` in
the file), and a value under an undeclared name is an error."""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

from alveosim.operations import Column, Operation
from alveosim.triggers import Periodic, Trigger

# the columns every row has, before the species counts and the operations' columns
BASE_COLUMNS = [
    Column("step", "count", "global step number (both clocks)"),
    Column("time_s", "s", "simulated time since the start of the run"),
    Column("phase", "-", "name of the phase the step belongs to"),
]


class UndeclaredColumn(ValueError):
    """An operation observed a value under a name it did not declare."""


class TimeSeries(Operation):
    """Writer: logs ``step``, ``time_s``, ``phase``, agent counts per species
    (``<species>_count``) and every operation's ``observe()`` values, under
    the declared columns (:meth:`declare`), when ``every`` fires (a trigger,
    or an int: every that many global steps), at the start of a run and at
    its end."""

    writer = True
    name = "io.timeseries"
    after = frozenset({"io.checkpoint", "io.snapshot"})

    def __init__(self, every: Trigger | int = 10, path: Path | None = None):
        super().__init__(Periodic(every) if isinstance(every, int) else every)
        self.path = Path(path) if path is not None else None
        self.rows: list[dict] = []
        self.declared: list[Column] | None = None  # declared columns, in header order
        self._owner: dict[str, Operation] = {}  # column name -> the operation declaring it
        self._file = None
        self._pending: tuple[list, list] | None = None  # (header, rows) to keep when resuming
        self._file_last_step = -1  # last step the file holds when resuming
        self._start_step = 0

    def declare(self) -> list[Column]:
        """Collect the columns: :data:`BASE_COLUMNS`, ``<species>_count`` for
        each pool (sorted by name: a restored state lists its pools in another
        order), then each operation's :meth:`Operation.columns` in list order
        (called when every operation is attached). Raises ValueError when two
        operations declare the same name."""
        sim = self.sim
        columns = list(BASE_COLUMNS) + [Column(f"{name}_count", "count", f"live {name} agents") for name in sorted(sim.state.pools)]
        owner: dict[str, Operation] = {c.name: self for c in columns}
        for op in sim.operations:
            for column in op.columns():
                if column.name in owner:
                    raise ValueError(f"time-series column {column.name!r} is declared by both {_name(owner[column.name])} and {_name(op)}")
                owner[column.name] = op
                columns.append(column)
        self.declared, self._owner = columns, owner
        return columns

    def row(self, state) -> dict:
        """The declared columns' values now (NaN where an operation left one out)."""
        sim = self.sim
        if self.declared is None:
            self.declare()
        values = {"step": state.step, "time_s": state.time, "phase": sim.phase_name(state.phase_index)}
        for name, pool in state.pools.items():
            values[f"{name}_count"] = pool.n
        for key in values:
            if key not in self._owner:
                raise UndeclaredColumn(f"time-series value {key!r} of {_name(self)} is not a declared column (a pool created after set-up)")
        for op in sim.operations:
            observed = op.observe(state)
            for key in observed:
                if self._owner.get(key) is not op:
                    raise UndeclaredColumn(f"time-series value {key!r} observed by {_name(op)} is not among its declared columns")
            values.update(observed)
        return {c.name: values.get(c.name, math.nan) for c in self.declared}

    def act(self, state, dt):
        self.record(state)

    def record(self, state) -> dict:
        row = self.row(state)
        if self.rows and self.rows[-1]["step"] == row["step"]:
            return row
        self.rows.append(row)
        if self.path is not None and row["step"] > self._file_last_step:
            self._write(row)
        return row

    def continue_from(self, step: int) -> None:
        """Prepare the CSV for a run resumed from a checkpoint at ``step``.

        Keeps the rows the uninterrupted run would hold at that step (the
        periodically logged steps up to ``step``) and drops later rows and the
        extra rows an earlier run segment wrote when it stopped between
        periods, so the resumed run appends and its file equals the
        uninterrupted run's. Nothing is written here: the file is rewritten
        (atomically) when the resumed run writes its first row, and rows at
        steps the kept file already holds are not written again.
        """
        if self.path is None or not self.path.exists() or self.path.stat().st_size == 0:
            return
        with self.path.open(newline="") as fh:
            lines = list(csv.reader(fh))
        header, body = lines[0], lines[1:]
        col = header.index("step")
        kept = [r for r in body if len(r) == len(header) and r[col].isdigit() and int(r[col]) <= step and self.trigger(int(r[col]), 0.0, 0.0)]
        self._pending = (header, kept)
        self._file_last_step = int(kept[-1][col]) if kept else -1

    def _rewrite(self, header: list[str], kept: list[list[str]]) -> None:
        """Replace the file (atomically) by the declared header and the rows
        ``kept`` (read under ``header``), NaN in columns ``header`` lacks."""
        from alveosim.io.atomic import atomic_path

        names = [c.name for c in self.declared]
        where = {name: i for i, name in enumerate(header)}
        with atomic_path(self.path) as tmp:
            with tmp.open("w", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(names)
                writer.writerows([[r[where[n]] if n in where else _fmt(math.nan) for n in names] for r in kept])

    def attach(self, sim):
        super().attach(sim)
        self._start_step = sim.state.step

    def _write(self, row: dict) -> None:
        names = [c.name for c in self.declared]
        if self._pending is not None:
            self._rewrite(*self._pending)
            self._pending = None
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size > 0:
                with self.path.open(newline="") as fh:
                    lines = list(csv.reader(fh))
                if lines[0] != names:  # written before columns were added (a run continued with more operations)
                    self._rewrite(lines[0], [r for r in lines[1:] if len(r) == len(lines[0])])
            else:
                with self.path.open("w", newline="") as fh:
                    csv.writer(fh).writerow(names)
            self._file = self.path.open("a", newline="")
            self._writer = csv.writer(self._file)
        self._writer.writerow([_fmt(row[n]) for n in names])
        self._file.flush()

    def finish(self, state):
        """The final row, unless an error ended the run before its first step
        (a failed start leaves the file as it was)."""
        if sys.exc_info()[0] is None or state.step != self._start_step:
            self.record(state)
        if self._file is not None:
            self._file.close()
            self._file = None


def _fmt(v):
    return repr(v) if isinstance(v, float) else v


def _name(op) -> str:
    return f"operation {type(op).__name__}"
