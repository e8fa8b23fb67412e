"""Blood-clock transport: births at inlets (from the systemic plasma) and
from lung shedding, advection with the voxel velocity plus Brownian motion
confined to open blood voxels, outflow at outlets and EV clearance."""

from __future__ import annotations

import math

import numpy as np

from sim.blood import ledger
from sim.blood.species import AGGREGATED
from sim.operations import BLOOD, Operation
from sim.streams import Stream

NO_IMMOBILE_STATE = 255


def plasma_ev_concentration(state, fallback: float) -> float:
    """sEV-β2 carried by inflowing blood (EVs/µm³): the systemic pool of the
    tissue biology when present, else the configured ``fallback``."""
    return float(state.values.get("plasma_sev_b2_per_um3", fallback))


def spawn_in_voxels(pool, kernels, voxels, lam, seed: int, stream: int, place_stream: int, step: int, geometry) -> int:
    """Poisson(lam[v]) new agents in each voxel voxels[v] (device int64 [m]
    flat ids; lam float64 [m]), placed uniformly inside it; draws keyed by
    voxel id and, for placement, by the new uid. Returns the number born
    (rows ``[pool.n - born, pool.n)``)."""
    xp = pool.backend.xp
    m = int(voxels.shape[0])
    if m == 0:
        return 0
    counts = xp.zeros(m, dtype=np.int64)
    kernels.poisson_counts(m, lam, voxels, seed, stream, step, counts)
    offsets = xp.zeros(m + 1, dtype=np.int64)
    offsets[1:] = xp.cumsum(counts)
    total = int(pool.backend.scalar(offsets[-1]))
    if total == 0:
        return 0
    first = pool.append(total)
    kernels.place(total, first, offsets, voxels, geometry.dims, geometry.h, pool.arrays["pos"], pool.arrays["uid"], seed, place_stream, step)
    return total


class BloodInflow(Operation):
    """New EVs and platelets in INLET voxels at rate |v|·h²·concentration
    (flow through the voxel × plasma concentration), and EVs shed into blood
    voxels at ``state.arrays["ev_shed_rate"]`` (EVs/s per voxel, from the
    tissue biology). New EVs carry β2 = ``state.values["ev_beta2"]`` (1 when absent)."""

    clocks = frozenset({BLOOD})

    def __init__(self, context, platelet_density_um3: float, ev_fallback_um3: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.platelet_density = platelet_density_um3
        self.ev_fallback = ev_fallback_um3

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        self.k = sim.backend.kernels("blood")

    def act(self, state, dt):
        geo = self.context.geometry
        xp = state.backend.xp
        speed = xp.sqrt((state.arrays["velocity"].reshape(-1, 3)[geo.inlet_voxels].astype(np.float64) ** 2).sum(axis=1))
        volume_per_step = speed * (geo.h * geo.h * dt)
        platelets = state.pool("platelet")
        born = spawn_in_voxels(
            platelets, self.k, geo.inlet_voxels, volume_per_step * self.platelet_density,
            state.seed, int(Stream.PLATELET_INFLOW), int(Stream.PLATELET_PLACE), state.step, geo,
        )
        if born:
            platelets.arrays["aggregate"][platelets.n - born : platelets.n] = -1
        ledger.add(state, "platelet_inflow", born)
        evs = state.pool("ev")
        beta2 = float(state.values.get("ev_beta2", 1.0))
        conc = plasma_ev_concentration(state, self.ev_fallback)
        if conc > 0.0:
            born = spawn_in_voxels(evs, self.k, geo.inlet_voxels, volume_per_step * conc, state.seed, int(Stream.EV_INFLOW), int(Stream.EV_PLACE), state.step, geo)
            evs.arrays["beta2"][evs.n - born : evs.n] = beta2
            ledger.add(state, "ev_inflow", born)
        shed = state.arrays.get("ev_shed_rate")
        if shed is not None:
            lam = shed.ravel()[geo.blood_voxels].astype(np.float64) * dt
            born = spawn_in_voxels(evs, self.k, geo.blood_voxels, lam, state.seed, int(Stream.EV_SHED), int(Stream.EV_PLACE), state.step, geo)
            evs.arrays["beta2"][evs.n - born : evs.n] = beta2
            ledger.add(state, "ev_shed", born)


class BloodTransport(Operation):
    """Move EVs (diffusivity D_ev, cleared with the plasma half-life) and
    non-aggregated platelets (D_platelet) with the flow; remove those that
    end in OUTLET voxels (outflow) and cleared EVs, counting both."""

    clocks = frozenset({BLOOD})

    def __init__(self, context, ev_diffusivity: float, ev_half_life_s: float, platelet_diffusivity: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.ev_diffusivity = ev_diffusivity
        self.ev_half_life = ev_half_life_s
        self.platelet_diffusivity = platelet_diffusivity

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        self.k = sim.backend.kernels("blood")
        self.fate = {"ev": sim.backend.xp.zeros(0, dtype=np.int8), "platelet": sim.backend.xp.zeros(0, dtype=np.int8)}

    def _move(self, state, name, diffusivity, p_clear, immobile, stream, dt):
        pool = state.pool(name)
        xp = state.backend.xp
        n = pool.n
        if self.fate[name].shape[0] < n:
            self.fate[name] = xp.zeros(max(n, 2 * self.fate[name].shape[0]), dtype=np.int8)
        fate = self.fate[name]
        geo = self.context.geometry
        self.k.transport(
            n, pool.arrays["pos"], pool.arrays["uid"], pool.arrays["state"], immobile, state.seed, stream, state.step,
            math.sqrt(2.0 * diffusivity * dt), dt, geo.h, p_clear,
            state.arrays["labels"], state.arrays["occluded"], state.arrays["velocity"], fate,
        )
        fate = fate[:n]
        outflow = int(state.backend.scalar(xp.count_nonzero(fate == 1)))
        cleared = int(state.backend.scalar(xp.count_nonzero(fate == 2)))
        if outflow + cleared:
            pool.remove(fate != 0)
        return outflow, cleared

    def act(self, state, dt):
        p_clear = -math.expm1(-math.log(2.0) / self.ev_half_life * dt)
        outflow, cleared = self._move(state, "ev", self.ev_diffusivity, p_clear, NO_IMMOBILE_STATE, int(Stream.EV_TRANSPORT), dt)
        ledger.add(state, "ev_outflow", outflow)
        ledger.add(state, "ev_cleared", cleared)
        outflow, _ = self._move(state, "platelet", self.platelet_diffusivity, 0.0, AGGREGATED, int(Stream.PLATELET_TRANSPORT), dt)
        ledger.add(state, "platelet_outflow", outflow)

    def observe(self, state):
        return {"ev_free": float(state.pool("ev").n), **ledger.values(state)}
