"""The run's progress bar (rich): phase, simulated time, steps/s and ETA."""

from __future__ import annotations

import time as wallclock

from sim.format import format_seconds


class RunProgress:
    """Context manager; ``update(state)`` after every step. Redraws at most
    ~10 times a second, so it costs nothing measurable per step."""

    def __init__(self, sim, enabled: bool = True):
        self.sim = sim
        self.enabled = enabled
        self._progress = None
        self._last = 0.0

    def __enter__(self):
        if not self.enabled:
            return self
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("[bold]{task.fields[phase]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("t={task.fields[simtime]}"),
            TextColumn("{task.fields[rate]} steps/s"),
            TimeRemainingColumn(),
            transient=False,
        )
        self._progress.__enter__()
        st = self.sim.state
        self._task = self._progress.add_task(
            "run", total=self.sim.total_steps, completed=st.step, phase=self.sim.phase_name(st.phase_index),
            simtime=format_seconds(st.time), rate="-",
        )
        self._t0, self._s0 = wallclock.perf_counter(), st.step
        return self

    def update(self, state) -> None:
        if self._progress is None:
            return
        now = wallclock.perf_counter()
        if now - self._last < 0.1:
            return
        self._last = now
        rate = (state.step - self._s0) / max(now - self._t0, 1e-9)
        self._progress.update(
            self._task, completed=state.step, phase=self.sim.phase_name(state.phase_index),
            simtime=format_seconds(state.time), rate=f"{rate:,.1f}",
        )

    def __exit__(self, *exc):
        if self._progress is not None:
            st = self.sim.state
            self._progress.update(self._task, completed=st.step, simtime=format_seconds(st.time))
            self._progress.__exit__(*exc)
        return False
