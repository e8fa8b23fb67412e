"""The time-series logger: one row of named scalars per logged step, kept in
memory and appended (flushed) to ``RUN_DIR/timeseries.csv`` as the run goes."""

from __future__ import annotations

import csv
from pathlib import Path

from sim.operations import Operation
from sim.triggers import Periodic


class TimeSeries(Operation):
    """Writer: logs ``step``, ``time_s``, ``phase``, agent counts per species
    (``<species>_count``) and every operation's ``observe()`` values."""

    writer = True

    def __init__(self, every: int = 10, path: Path | None = None):
        super().__init__(Periodic(every))
        self.path = Path(path) if path is not None else None
        self.rows: list[dict] = []
        self._columns: list[str] | None = None
        self._file = None

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
        if self.path is not None:
            self._write(row)
        return row

    def _write(self, row: dict) -> None:
        if self._file is None:
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
        self.record(state)
        if self._file is not None:
            self._file.close()
            self._file = None


def _fmt(v):
    return repr(v) if isinstance(v, float) else v
