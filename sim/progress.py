"""Progress of a run: on a terminal, a rich progress bar of the current phase
(phase k/n, steps, simulated time, steps/s and the phase's ETA, measured in
this phase since phases cost differently); otherwise (a batch job, output to
a file) plain heartbeat lines at the start, when a phase begins, every
``HEARTBEAT_S`` wall seconds and at the end."""

from __future__ import annotations

import sys
import time as wallclock

from alveosim.format import format_seconds

HEARTBEAT_S = 10.0  # wall seconds between heartbeat lines when stdout is not a terminal


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class RunProgress:
    """Context manager; ``update(state)`` after every step. Redraws at most
    ~10 times a second, so it costs nothing measurable per step."""

    def __init__(self, sim, enabled: bool = True, terminal: bool | None = None, stream=None):
        self.sim = sim
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stdout
        self.terminal = terminal if terminal is not None else self.stream.isatty()
        self._progress = None
        self._last = 0.0
        self._phase = None

    # -- the current phase's rate -------------------------------------------
    def _begin_phase(self, state, now: float) -> None:
        self._phase = state.phase_index
        self._rate_t0, self._rate_s0 = now, state.step

    def _phase_facts(self, state, now: float) -> dict:
        phases = self.sim.config.phases
        index = min(state.phase_index, len(phases) - 1)
        phase = phases[index]
        done = state.step - self._rate_s0
        rate = done / (now - self._rate_t0) if done > 0 and now > self._rate_t0 else None
        left = phase.n_steps - state.phase_step
        into = state.phase_step * phase.dt if state.phase_index == index else phase.n_steps * phase.dt
        return {"name": phase.name, "k": index + 1, "n": len(phases), "step": state.phase_step, "steps": phase.n_steps,
                "rate": rate, "eta": left / rate if rate else None,
                "time": f"{format_seconds(state.time)} ({format_seconds(into)} into the phase)"}

    def _line(self, text: str) -> None:
        stamp = wallclock.strftime("%H:%M:%S")
        print(f"[{stamp}] {text}", file=self.stream, flush=True)

    def _heartbeat(self, f: dict) -> None:
        rate = f"{f['rate']:,.1f} steps/s" if f["rate"] else "- steps/s"
        self._line(f"phase {f['k']}/{f['n']} {f['name']}: step {f['step']:,}/{f['steps']:,}, t = {f['time']}, "
                   f"{rate}, phase ETA {_eta(f['eta'])}")

    # -- context manager -----------------------------------------------------
    def __enter__(self):
        if not self.enabled:
            return self
        now = wallclock.perf_counter()
        st = self.sim.state
        self._begin_phase(st, now)
        self._last = now
        if not self.terminal:
            self._heartbeat(self._phase_facts(st, now))
            return self
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("[bold]phase {task.fields[k]}/{task.fields[n]} {task.fields[phase]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("t={task.fields[simtime]}"),
            TextColumn("{task.fields[rate]} steps/s"),
            TextColumn("phase ETA {task.fields[eta]}"),
            transient=False,
        )
        self._progress.__enter__()
        f = self._phase_facts(st, now)
        self._task = self._progress.add_task("run", total=f["steps"], completed=f["step"], phase=f["name"], k=f["k"],
                                             n=f["n"], simtime=f["time"], rate="-", eta="-")
        return self

    def update(self, state) -> None:
        if not self.enabled:
            return
        now = wallclock.perf_counter()
        new_phase = state.phase_index != self._phase
        if new_phase:
            self._begin_phase(state, now)
        elif state.phase_step == 1 and self._rate_s0 == state.step - 1:
            # the first step of a phase may compile kernels: measure the rate after it
            self._rate_t0, self._rate_s0 = now, state.step
        if not new_phase and now - self._last < (0.1 if self.terminal else HEARTBEAT_S):
            return
        self._last = now
        f = self._phase_facts(state, now)
        if not self.terminal:
            self._heartbeat(f)
            return
        self._progress.update(self._task, total=f["steps"], completed=f["step"], phase=f["name"], k=f["k"],
                              simtime=f["time"], rate=f"{f['rate']:,.1f}" if f["rate"] else "-", eta=_eta(f["eta"]))

    def __exit__(self, *exc):
        if not self.enabled:
            return False
        now = wallclock.perf_counter()
        st = self.sim.state
        f = self._phase_facts(st, now)
        if self._progress is not None:
            self._progress.update(self._task, completed=f["step"] if st.phase_step else f["steps"], simtime=f["time"])
            self._progress.__exit__(*exc)
        else:
            self._line(f"stopped at step {st.step:,}, t = {f['time']}")
        return False
