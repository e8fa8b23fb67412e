"""Blood-clock transport: births at inlets (from the systemic plasma) and
from lung shedding, advection with the voxel velocity plus Brownian motion
confined to open blood voxels, outflow at outlets and EV clearance."""

from __future__ import annotations

import math

import numpy as np

from alveosim.blood import ledger
from alveosim.blood.species import AGGREGATED
from alveosim.operations import BLOOD, Operation
from alveosim.streams import Stream

NO_IMMOBILE_STATE = 255


def plasma_ev_concentration(state, fallback: float) -> float:
    """sEV-β2 carried by inflowing blood (EVs/µm³): the systemic pool of the
    tissue biology when present, else the configured ``fallback``."""
    return float(state.values.get("plasma_sev_b2_per_um3", fallback))


class Births:
    """Poisson(lam[v]) new agents in each voxel ``voxels[v]`` of one pool,
    drawn on the device (keyed by voxel id); their total is read with the
    other births of the step in one transfer (``Backend.scalars``), then
    :meth:`place` puts them uniformly inside their voxels (keyed by the new
    uids). voxels: device int64 [m] flat ids; lam: device float64 [m]."""

    def __init__(self, pool, kernels, voxels, lam, seed: int, stream: int, place_stream: int, step: int):
        xp = pool.backend.xp
        m = int(voxels.shape[0])
        self.pool, self.kernels, self.voxels = pool, kernels, voxels
        self.seed, self.place_stream, self.step = seed, place_stream, step
        self.offsets = xp.zeros(m + 1, dtype=np.int64)
        if m:
            counts = xp.zeros(m, dtype=np.int64)
            kernels.poisson_counts(m, lam, voxels, seed, stream, step, counts)
            self.offsets[1:] = xp.cumsum(counts)

    @property
    def total(self):
        """Device 0-d int64: agents born."""
        return self.offsets[-1]

    def place(self, total: int, geometry) -> int:
        """Append the ``total`` agents (the host value of :attr:`total`) and
        place them; returns ``total`` (rows ``[pool.n - total, pool.n)``)."""
        if total:
            first = self.pool.append(total)
            self.kernels.place(total, first, self.offsets, self.voxels, geometry.dims, geometry.h, self.pool.arrays["pos"], self.pool.arrays["uid"], self.seed, self.place_stream, self.step)
        return total


class BloodInflow(Operation):
    """New EVs and platelets in INLET voxels at rate |v|·h²·concentration
    (flow through the voxel × plasma concentration), and EVs shed into blood
    voxels at ``state.arrays["ev_shed_rate"]`` (EVs/s per voxel, from the
    tissue biology; drawn only in the voxels that shed). New EVs carry
    β2 = ``state.values["ev_beta2"]`` (1 when absent)."""

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
        self._shed_key = None
        self._inlet_key = None

    def _inlet_volumes(self, state, dt):
        """Blood volume entering each inlet voxel per step, |v|·h²·dt (µm³,
        device float64 [m]), recomputed only when the flow may have changed:
        a new phase or blood window, a flow re-solve after occlusion, another dt."""
        velocity = state.arrays["velocity"]
        key = (state.phase_index, state.values.get("blood_windows", 0.0), state.values.get("occlusion_events", 0.0), id(velocity), dt)
        if key != self._inlet_key:
            geo = self.context.geometry
            xp = state.backend.xp
            speed = xp.sqrt((velocity.reshape(-1, 3)[geo.inlet_voxels].astype(np.float64) ** 2).sum(axis=1))
            self._inlet_volumes_per_step = speed * (geo.h * geo.h * dt)
            self._inlet_key = key
        return self._inlet_volumes_per_step

    def _shedding_voxels(self, state, shed):
        """Flat ids (device int64, in blood-voxel order) of the blood voxels
        whose shedding rate is positive, found once per phase or blood window:
        the rate changes only on the tissue clock. The others would draw no EVs."""
        key = (state.phase_index, state.values.get("blood_windows", 0.0), id(shed))
        if key != self._shed_key:
            blood = self.context.geometry.blood_voxels
            self._shed_voxels = blood[state.backend.xp.flatnonzero(shed.ravel()[blood] > 0)]
            self._shed_key = key
        return self._shed_voxels

    def act(self, state, dt):
        geo = self.context.geometry
        volume_per_step = self._inlet_volumes(state, dt)
        platelets, evs = state.pool("platelet"), state.pool("ev")
        births = {"platelet_inflow": Births(platelets, self.k, geo.inlet_voxels, volume_per_step * self.platelet_density, state.seed, int(Stream.PLATELET_INFLOW), int(Stream.PLATELET_PLACE), state.step)}
        conc = plasma_ev_concentration(state, self.ev_fallback)
        if conc > 0.0:
            births["ev_inflow"] = Births(evs, self.k, geo.inlet_voxels, volume_per_step * conc, state.seed, int(Stream.EV_INFLOW), int(Stream.EV_PLACE), state.step)
        shed = state.arrays.get("ev_shed_rate")
        if shed is not None:
            voxels = self._shedding_voxels(state, shed)
            lam = shed.ravel()[voxels].astype(np.float64) * dt
            births["ev_shed"] = Births(evs, self.k, voxels, lam, state.seed, int(Stream.EV_SHED), int(Stream.EV_PLACE), state.step)
        beta2 = float(state.values.get("ev_beta2", 1.0))
        for (key, birth), total in zip(births.items(), state.backend.scalars([b.total for b in births.values()])):
            born = birth.place(total, geo)
            if born:
                field, value = ("aggregate", -1) if key == "platelet_inflow" else ("beta2", beta2)
                birth.pool.arrays[field][birth.pool.n - born : birth.pool.n] = value
            ledger.add(state, key, born)


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
        """Launch the move of pool ``name``; returns its fates (device int8 [n])."""
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
        return fate[:n]

    def act(self, state, dt):
        xp = state.backend.xp
        p_clear = -math.expm1(-math.log(2.0) / self.ev_half_life * dt)
        ev_fate = self._move(state, "ev", self.ev_diffusivity, p_clear, NO_IMMOBILE_STATE, int(Stream.EV_TRANSPORT), dt)
        pl_fate = self._move(state, "platelet", self.platelet_diffusivity, 0.0, AGGREGATED, int(Stream.PLATELET_TRANSPORT), dt)
        ev_out, ev_cleared, pl_out = state.backend.scalars([xp.count_nonzero(ev_fate == 1), xp.count_nonzero(ev_fate == 2), xp.count_nonzero(pl_fate == 1)])
        state.pool("ev").remove(ev_fate != 0, ev_out + ev_cleared)
        state.pool("platelet").remove(pl_fate != 0, pl_out)
        ledger.add(state, "ev_outflow", ev_out)
        ledger.add(state, "ev_cleared", ev_cleared)
        ledger.add(state, "platelet_outflow", pl_out)

    def observe(self, state):
        return {"ev_free": float(state.pool("ev").n), **ledger.values(state)}
