"""CTCs on the blood clock: arrival with the inflowing blood, movement with
the flow, arrest (more likely at clots), outflow. Nothing is read from the
device inside a blood step; :class:`CtcHeadroom` reads the pool size at the
blood clock's host points (:mod:`alveosim.blood.settle`)."""

from __future__ import annotations

import math

import numpy as np

from alveosim.blood.geometry import BloodGeometry, PlateletCells
from alveosim.blood.settle import BIRTH_SIGMAS
from alveosim.channels import BLOOD_WINDOWS, LABELS, OCCLUDED, OCCLUSION_EVENTS, VELOCITY
from alveosim.ctc import ledger
from alveosim.kernels.rules.blood import OUTFLOW
from alveosim.kernels.rules.ctc import ARREST_CLOT, ARREST_OPEN
from alveosim.operations import BLOOD, Operation
from alveosim.streams import Stream


class CtcContext:
    """What the CTC blood operations share, built on the first attach: the
    blood geometry, a platelet cell list whose cells are at least the CTC
    contact distance wide (its own: the blood side's is sized for platelet
    contacts), and the inlet blood volume per step."""

    def __init__(self, contact_distance: float):
        self.contact = contact_distance
        self.geometry = None
        self._inlet_key = None

    def ensure(self, sim) -> None:
        if self.geometry is None:
            self.geometry = BloodGeometry(sim)
            self.platelet_cells = PlateletCells(sim.backend, self.geometry, self.contact)
        sim.state.pool("ctc").count_on_device()

    def inlet_volumes(self, state, dt):
        """Blood volume entering each inlet voxel per step, |v|·h²·dt (µm³,
        device float64 [m]), recomputed when the flow may have changed (a new
        phase or window, an occlusion, another dt)."""
        velocity = state.arrays[VELOCITY]
        key = (state.phase_index, state.values.get(BLOOD_WINDOWS, 0.0), state.values.get(OCCLUSION_EVENTS, 0.0), id(velocity), dt)
        if key != self._inlet_key:
            geo = self.geometry
            xp = state.backend.xp
            speed = xp.sqrt((velocity.reshape(-1, 3)[geo.inlet_voxels].astype(np.float64) ** 2).sum(axis=1))
            self._volumes = speed * (geo.h * geo.h * dt)
            self._inlet_key = key
        return self._volumes


class CtcArrival(Operation):
    """Poisson(|v|·h²·dt · concentration) new CTCs in each INLET voxel per
    blood step, placed uniformly in the voxel, circulating; counted as
    ``ctc_arrived`` on the device."""

    name = "ctc.arrival"
    after = "ctc.headroom"
    clocks = frozenset({BLOOD})

    def __init__(self, context: CtcContext, concentration_um3: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.concentration = concentration_um3

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        self.k = sim.backend.kernels("blood")

    def expected_per_step(self, state, dt) -> float:
        """Expected arrivals per step (one transfer; host points only)."""
        return float(state.backend.scalar(self.context.inlet_volumes(state, dt).sum())) * self.concentration

    def act(self, state, dt):
        geo = self.context.geometry
        m = int(geo.inlet_voxels.shape[0])
        if m == 0:
            return
        xp = state.backend.xp
        pool = state.pool("ctc")
        lam = self.context.inlet_volumes(state, dt) * self.concentration
        births = xp.zeros(m, dtype=np.int64)
        self.k.poisson_counts(m, lam, geo.inlet_voxels, state.seed, int(Stream.CTC_INFLOW), state.step, births)
        offsets = xp.zeros(m + 1, dtype=np.int64)
        offsets[1:] = xp.cumsum(births)
        self.k.place(m, offsets, geo.inlet_voxels, geo.dims, geo.h, pool.arrays["pos"], pool.arrays["uid"], pool.arrays["tumour"], -1, pool.counter, state.seed, int(Stream.CTC_PLACE), state.step)
        self.k.commit_births(1, offsets, pool.counter, pool.capacity, ledger.counts(state), ledger.INDEX["ctc_arrived"])
        pool.device_changed()


class CtcStep(Operation):
    """Move circulating CTCs with the flow (diffusivity D), then arrest each
    with probability 1 − exp(−k·dt) in open capillary and 1 − exp(−E·k·dt) at
    a clot (E = ``clot_enhancement``; kernels/rules/ctc.py ``at_clot``);
    CTCs ending in OUTLET voxels leave. Arrests are counted at clot and in
    open capillary, outflow as ``ctc_outflow``, all on the device."""

    name = "ctc.step"
    after = "ctc.arrival"
    clocks = frozenset({BLOOD})

    def __init__(self, context: CtcContext, diffusivity: float, arrest_rate: float, clot_enhancement: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.diffusivity = diffusivity
        self.arrest_rate = arrest_rate
        self.enhancement = clot_enhancement

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        self.k = sim.backend.kernels("ctc")
        self.fate = sim.backend.xp.zeros(0, dtype=np.int8)

    def act(self, state, dt):
        xp = state.backend.xp
        pool, platelets = state.pool("ctc"), state.pool("platelet")
        if self.fate.shape[0] != pool.capacity:
            self.fate = xp.zeros(pool.capacity, dtype=np.int8)
        geo = self.context.geometry
        cells = self.context.platelet_cells  # its own cell width, so built here, its only reader
        cells.build(state)
        p_open = -math.expm1(-self.arrest_rate * dt)
        p_clot = -math.expm1(-self.enhancement * self.arrest_rate * dt)
        self.k.ctc_step(
            pool.capacity, pool.counter, pool.arrays["pos"], pool.arrays["uid"], pool.arrays["state"], state.seed, int(Stream.CTC_TRANSPORT), int(Stream.CTC_ARREST), state.step,
            math.sqrt(2.0 * self.diffusivity * dt), dt, geo.h, state.arrays[LABELS], state.arrays[OCCLUDED], state.arrays[VELOCITY],
            p_open, p_clot, platelets.arrays["pos"], platelets.arrays["state"], self.context.contact, *cells.query, self.fate,
        )
        clot = self.fate == ARREST_CLOT
        pool.arrays["at_clot"][...] |= clot.astype(np.uint8)
        ledger.add(state, "ctc_arrested_at_clot", xp.count_nonzero(clot))
        ledger.add(state, "ctc_arrested_open", xp.count_nonzero(self.fate == ARREST_OPEN))
        ledger.add(state, "ctc_outflow", pool.compact(self.fate == OUTFLOW))


class CtcHeadroom(Operation):
    """At the blood clock's host points: read the CTC count (an error when
    arrivals found the pool full since the last read) and grow the pool
    when the expected arrivals until the next host point, plus
    :data:`~alveosim.blood.settle.BIRTH_SIGMAS` Poisson standard deviations,
    could fill it. Agents keep their rows, so growing changes no result."""

    name = "ctc.headroom"
    after = "blood"  # every blood-clock operation: the platelets move and aggregate first
    clocks = frozenset({BLOOD})

    def __init__(self, arrival: CtcArrival, trigger):
        super().__init__(trigger)
        self.arrival = arrival

    def act(self, state, dt):
        pool = state.pool("ctc")
        births = self.arrival.expected_per_step(state, dt) * self.trigger.longest_gap(state.step + 1)
        need = pool.n + int(math.ceil(births + BIRTH_SIGMAS * math.sqrt(births))) + 16
        if need > pool.capacity:
            pool.grow(need)
