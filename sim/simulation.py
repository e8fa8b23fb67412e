"""The Simulation: owns the State and the ordered list of operations, and
steps them through the config's phases."""

from __future__ import annotations

import signal
import time as wallclock
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from alveosim.backend import Backend, select_backend
from alveosim.channels import FIELDS, FLOW, PLASMA, Wiring
from alveosim.config import Config
from alveosim.model import feature_modules
from alveosim.operations import Operation
from alveosim.ordering import ordered
from alveosim.pools import AgentPool
from alveosim.schedule import schedule_trigger
from alveosim.species import Species
from alveosim.state import State
from alveosim.timeseries import TimeSeries


@dataclass
class RunResult:
    """What :meth:`Simulation.run` did: steps taken, wall seconds of the run
    loop, whether it was interrupted, the last time-series row, and per phase
    run (in order) ``{"name", "clock", "steps", "wall_s", "steps_per_s"}``."""

    steps: int
    wall_s: float
    interrupted: bool
    last_row: dict
    phases: list[dict] = field(default_factory=list)


class Simulation:
    """A run of one config on one backend.

    ``sim.state`` holds everything that evolves; ``sim.operations`` is the
    list of operations in step order: the order their ``after``/``before``
    declarations give (:mod:`alveosim.ordering`), ties kept in the order of
    :data:`alveosim.model.FEATURES`, then the config's ``extensions``, then
    writers. Users may append their own operations (writers included) before
    calling :meth:`run`, which places them by their declarations.

    Pass ``state`` to continue from a restored state (a checkpoint): the
    features then skip their initial conditions.
    """

    def __init__(self, config: Config, backend: str | Backend | None = None, run_dir: str | Path | None = None, state: State | None = None):
        created = wallclock.perf_counter()
        self.config = config
        if isinstance(backend, Backend):
            self.backend = backend
        else:
            self.backend = select_backend(backend or config.backend)
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.state = state if state is not None else State(self.backend, config.seed)
        self.channels = Wiring(self.state)  # declared channels between features (alveosim.channels)
        self.operations: list[Operation] = []
        for feature in feature_modules(config.extensions):
            if state is None:
                feature.initialize(self)
            self.operations += feature.operations(self)
        ts_path = self.run_dir / "timeseries.csv" if self.run_dir is not None else None
        self.timeseries = TimeSeries(schedule_trigger(config.output.timeseries_every, config.phases), ts_path)
        self.operations.append(self.timeseries)
        self.operations = ordered(self.operations)
        self._attached: set[int] = set()
        self._stop_requested = False
        self.setup_s = wallclock.perf_counter() - created  # wall seconds of set-up (lattice, flow, initial state)

    # -- set-up helpers used by features ----------------------------------
    def add_pool(self, species: Species, capacity: int) -> AgentPool:
        """Create (or return) the pool of ``species`` with at least ``capacity`` rows."""
        pool = self.state.pools.get(species.name)
        if pool is None:
            pool = AgentPool(species, capacity, self.backend)
            self.state.pools[species.name] = pool
        return pool

    # -- published services, for scripts and tests (features use self.channels)
    @property
    def fields(self):
        """The field set (channel ``fields``), or None."""
        return self.channels.value(FIELDS)

    @fields.setter
    def fields(self, value):
        self.channels.substitute(FIELDS, value)

    @property
    def plasma(self):
        """The plasma compartments (channel ``plasma``), or None."""
        return self.channels.value(PLASMA)

    @plasma.setter
    def plasma(self, value):
        self.channels.substitute(PLASMA, value)

    @property
    def flow(self):
        """The capillary flow solver (channel ``flow``), or None."""
        return self.channels.value(FLOW)

    @flow.setter
    def flow(self, value):
        self.channels.substitute(FLOW, value)

    def wiring(self) -> list[str]:
        """Attach the operations (their consumers require channels there too)
        and list the channels: ``name (kind): producer -> consumers``."""
        self._attach_all()
        return self.channels.describe()

    def phase_name(self, index: int) -> str:
        phases = self.config.phases
        return phases[min(index, len(phases) - 1)].name

    def request_stop(self) -> None:
        """Ask the run loop to stop after the current step (Ctrl-C does this)."""
        self._stop_requested = True

    @property
    def total_steps(self) -> int:
        return sum(p.n_steps for p in self.config.phases)

    @property
    def end_time(self) -> float:
        """Simulated seconds at the end of the last phase."""
        return sum(p.n_steps * p.dt for p in self.config.phases)

    def _phase_start_time(self, index: int) -> float:
        return sum(p.n_steps * p.dt for p in self.config.phases[:index])

    def _attach_all(self) -> None:
        """Attach every operation not yet attached, then declare the
        time-series columns (all operations, including ones appended since,
        placed first by their declarations)."""
        self.operations[:] = ordered(self.operations)
        for op in self.operations:
            if id(op) not in self._attached:
                op.attach(self)
                self._attached.add(id(op))
        self.timeseries.declare()

    # -- the loop ----------------------------------------------------------
    def run(self, until: float | None = None, progress: bool | None = None) -> RunResult:
        """Advance through the phases until the end of the last phase, or
        until simulated time ``until`` (s). Step order, written once:

        ::

            order the operations by their after/before declarations (a stable
                topological sort, ties in FEATURES order, then as appended;
                `alveosim validate CONFIG --steps` prints it)
            attach every operation (binds kernels on the chosen backend),
                then declare the time-series columns (every op.columns())
            if at step 0: writers record the initial state
            for each phase, from the current one:
                clock, dt = phase.clock, phase.dt
                for each remaining step of the phase:
                    for op in operations, in list order, that run on `clock`
                            and are not writers:
                        if op.trigger(step + 1, time + dt, dt): op.act(state, dt)
                        # a tissue phase's blood window is one such op: it runs
                        # the blood-only ops for duration/dt blood steps inside
                        # this tissue step (sim/blood/windows.py)
                    step += 1; time = phase start + phase_step * dt
                    for each writer op: if op.trigger(step, time, dt): op.act(state, dt)
                    if Ctrl-C was pressed or time >= until: stop after this step
            for every op: op.finish(state)   # final time-series row, outputs
                                             # are written even after Ctrl-C

        Random draws are keyed by (seed, stream, step, agent uid), so the
        result does not depend on the thread count or the backend.
        """
        from alveosim.progress import RunProgress

        st = self.state
        started = datetime.now(timezone.utc)
        start_step, t0 = st.step, wallclock.perf_counter()
        self._attach_all()
        show = self.config.output.progress if progress is None else progress
        self._stop_requested = False
        previous_handler = _install_sigint(self)
        interrupted = False
        timing = _PhaseTiming(self)
        try:
            if st.step == 0:
                for op in self.operations:
                    if op.writer:
                        op.act(st, 0.0)
            with RunProgress(self, enabled=show) as bar:
                while st.phase_index < len(self.config.phases):
                    phase = self.config.phases[st.phase_index]
                    compute = [op for op in self.operations if not op.writer and phase.clock in op.clocks]
                    writers = [op for op in self.operations if op.writer]
                    t_phase = self._phase_start_time(st.phase_index)
                    timing.enter(phase)
                    while st.phase_step < phase.n_steps:
                        t_next = t_phase + (st.phase_step + 1) * phase.dt
                        for op in compute:
                            if op.trigger(st.step + 1, t_next, phase.dt):
                                op.act(st, phase.dt)
                        st.step += 1
                        st.phase_step += 1
                        st.time = t_next
                        for op in writers:
                            if op.trigger(st.step, st.time, phase.dt):
                                op.act(st, phase.dt)
                        bar.update(st)
                        if self._stop_requested or (until is not None and st.time >= until - 1e-9):
                            break
                    timing.leave()
                    if st.phase_step >= phase.n_steps:
                        st.phase_index += 1
                        st.phase_step = 0
                    if self._stop_requested or (until is not None and st.time >= until - 1e-9):
                        break
            interrupted = self._stop_requested
        finally:
            if previous_handler is not None:
                signal.signal(signal.SIGINT, previous_handler)
            timing.leave()
            try:
                for op in self.operations:
                    op.finish(st)
            finally:
                if self.run_dir is not None:
                    self._record(started, wallclock.perf_counter() - t0, timing.phases, interrupted)
        last = self.timeseries.rows[-1] if self.timeseries.rows else {}
        return RunResult(st.step - start_step, wallclock.perf_counter() - t0, interrupted, last, timing.phases)

    def _record(self, started: datetime, run_wall_s: float, phases: list[dict], interrupted: bool) -> None:
        """Write ``RUN_DIR/run.json`` (outcome from the exception propagating, if any)."""
        import sys

        from alveosim.report import run_record, write_run_record

        exc = sys.exc_info()[1]
        if isinstance(exc, KeyboardInterrupt) or (exc is None and interrupted):
            outcome, error = "interrupted", None
        elif exc is not None:
            outcome, error = "failed", f"{type(exc).__name__}: {exc}"
        else:
            outcome, error = "completed", None
        try:
            write_run_record(self.run_dir, run_record(self, outcome, error, phases, run_wall_s, started))
        except Exception as record_error:
            if exc is None:
                raise
            # never hide the error that ended the run behind one writing its record
            print(f"could not write run.json: {record_error}", file=sys.stderr)


class _PhaseTiming:
    """Wall time and steps of each phase a run goes through (JIT compilation
    falls in the phase whose first step compiles)."""

    def __init__(self, sim: Simulation):
        self.sim = sim
        self.phases: list[dict] = []
        self._open: tuple | None = None

    def enter(self, phase) -> None:
        self._open = (phase, self.sim.state.step, wallclock.perf_counter())

    def leave(self) -> None:
        if self._open is None:
            return
        phase, step0, t0 = self._open
        self._open = None
        steps, wall = self.sim.state.step - step0, wallclock.perf_counter() - t0
        self.phases.append({"name": phase.name, "clock": phase.clock, "steps": steps, "wall_s": wall,
                            "steps_per_s": steps / wall if wall > 0 else None})


def _install_sigint(sim: Simulation):
    """First Ctrl-C: stop after the current step and still write outputs.
    Second Ctrl-C: raise KeyboardInterrupt at once. Returns the old handler
    (None when not in the main thread, where handlers cannot be set)."""

    def handler(signum, frame):
        if sim._stop_requested:
            raise KeyboardInterrupt
        sim.request_stop()

    try:
        return signal.signal(signal.SIGINT, handler)
    except ValueError:
        return None
