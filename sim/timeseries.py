"""The time-series logger: one row of named scalars per logged step, kept in
memory and appended (flushed) to ``RUN_DIR/timeseries.csv`` as the run goes."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from alveosim.operations import Operation
from alveosim.triggers import Periodic, Trigger


class TimeSeries(Operation):
    """Writer: logs ``step``, ``time_s``, ``phase``, agent counts per species
    (``<species>_count``) and every operation's ``observe()`` values, when
    ``every`` fires (a trigger, or an int: every that many global steps), at
    the start of a run and at its end."""

    writer = True

    def __init__(self, every: Trigger | int = 10, path: Path | None = None):
        super().__init__(Periodic(every) if isinstance(every, int) else every)
        self.path = Path(path) if path is not None else None
        self.rows: list[dict] = []
        self._columns: list[str] | None = None
        self._file = None
        self._pending: tuple[list, list] | None = None  # (header, rows) to keep when resuming
        self._file_last_step = -1  # last step the file holds when resuming
        self._start_step = 0

    def row(self, state) -> dict:
        sim = self.sim
        row = {"step": state.step, "time_s": state.time, "phase": sim.phase_name(state.phase_index)}
        for name, pool in state.pools.items():
            row[f"{name}_count"] = pool.n
        for op in sim.operations:
            row.update(op.observe(state))
        return row

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

    def _rewrite_kept(self) -> None:
        from alveosim.io.atomic import atomic_path

        header, kept = self._pending
        self._pending = None
        with atomic_path(self.path) as tmp:
            with tmp.open("w", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(kept)

    def attach(self, sim):
        super().attach(sim)
        self._start_step = sim.state.step

    def _write(self, row: dict) -> None:
        if self._pending is not None:
            self._rewrite_kept()
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            exists = self.path.exists() and self.path.stat().st_size > 0
            if exists:
                with self.path.open() as fh:
                    self._columns = next(csv.reader(fh))
            self._file = self.path.open("a", newline="")
            self._writer = csv.writer(self._file)
            if not exists:
                self._columns = list(row)
                self._writer.writerow(self._columns)
        self._writer.writerow([_fmt(row.get(c, "")) for c in self._columns])
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
