"""Blood-clock transport: births at inlets (from the systemic plasma) and
from lung shedding, advection with the voxel velocity plus Brownian motion
confined to open blood voxels, outflow at outlets and EV clearance."""

from __future__ import annotations

import math

import numpy as np

from alveosim.blood import ledger
from alveosim.blood.species import AGGREGATED
from alveosim.channels import BLOOD_WINDOWS, EV_BETA2, EV_SHED_RATE, LABELS, OCCLUDED, OCCLUSION_EVENTS, PLASMA_SEV_B2, VELOCITY
from alveosim.operations import BLOOD, Operation
from alveosim.streams import Stream

NO_STATE = 255  # a state code no agent has: nothing immobile, nothing removed by state


def plasma_ev_concentration(state, fallback: float) -> float:
    """sEV-β2 carried by inflowing blood (EVs/µm³): the systemic pool of the
    tissue biology when present, else the configured ``fallback``."""
    return float(state.values.get(PLASMA_SEV_B2, fallback))


class Births:
    """Poisson(lam[v]) new agents in each voxel ``voxels[v]`` of one pool,
    drawn on the device (keyed by voxel id), then placed uniformly inside
    their voxels (keyed by the new uids) after the pool's live rows, all
    without a transfer: the pool's device counter gives the first row and
    uid, and grows by the births (the ledger entry too).
    voxels: device int64 [m] flat ids; lam: device float64 [m]."""

    def __init__(self, pool, kernels, voxels, lam, seed: int, stream: int, step: int):
        xp = pool.backend.xp
        self.m = int(voxels.shape[0])
        self.pool, self.kernels, self.voxels, self.seed, self.step = pool, kernels, voxels, seed, step
        self.offsets = xp.zeros(self.m + 1, dtype=np.int64)
        if self.m:
            counts = xp.zeros(self.m, dtype=np.int64)
            kernels.poisson_counts(self.m, lam, voxels, seed, stream, step, counts)
            self.offsets[1:] = xp.cumsum(counts)

    def place(self, state, geometry, place_stream: int, field: str, value, key: str) -> None:
        """Put the births in the pool with ``field`` = ``value`` and count them
        under ledger entry ``key``."""
        if not self.m:
            return
        pool = self.pool
        self.kernels.place(self.m, self.offsets, self.voxels, geometry.dims, geometry.h, pool.arrays["pos"], pool.arrays["uid"], pool.arrays[field], value, pool.counter, self.seed, place_stream, self.step)
        self.kernels.commit_births(1, self.offsets, pool.counter, pool.capacity, ledger.counts(state), ledger.INDEX[key])
        pool.device_changed()


class BloodInflow(Operation):
    """New EVs and platelets in INLET voxels at rate |v|·h²·concentration
    (flow through the voxel × plasma concentration), and EVs shed into blood
    voxels at ``state.arrays[EV_SHED_RATE]`` (EVs/s per voxel, from the
    tissue biology; drawn only in the voxels that shed). New EVs carry
    β2 = ``state.values[EV_BETA2]`` (1 when absent)."""

    clocks = frozenset({BLOOD})
    name = "blood.inflow"
    after = "blood.headroom"

    def __init__(self, context, platelet_density_um3: float, ev_fallback_um3: float, trigger=None):
        super().__init__(trigger)
        self.context = context
        self.platelet_density = platelet_density_um3
        self.ev_fallback = ev_fallback_um3

    def attach(self, sim):
        super().attach(sim)
        self.context.ensure(sim)
        for name in (PLASMA_SEV_B2, EV_BETA2, EV_SHED_RATE, BLOOD_WINDOWS, OCCLUSION_EVENTS):  # optional: fallbacks without them
            sim.channels.optional(name, __name__)
        self.k = sim.backend.kernels("blood")
        self._shed_key = None
        self._inlet_key = None

    def _inlet_volumes(self, state, dt):
        """Blood volume entering each inlet voxel per step, |v|·h²·dt (µm³,
        device float64 [m]), recomputed only when the flow may have changed:
        a new phase or blood window, a flow re-solve after occlusion, another dt."""
        velocity = state.arrays[VELOCITY]
        key = (state.phase_index, state.values.get(BLOOD_WINDOWS, 0.0), state.values.get(OCCLUSION_EVENTS, 0.0), id(velocity), dt)
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
        key = (state.phase_index, state.values.get(BLOOD_WINDOWS, 0.0), id(shed))
        if key != self._shed_key:
            blood = self.context.geometry.blood_voxels
            self._shed_voxels = blood[state.backend.xp.flatnonzero(shed.ravel()[blood] > 0)]
            self._shed_key = key
        return self._shed_voxels

    def _sources(self, state, dt):
        """(pool, ledger key, voxels, lam) of each birth source this step:
        device int64 [m] flat voxel ids and float64 [m] expected births."""
        geo = self.context.geometry
        volume_per_step = self._inlet_volumes(state, dt)
        platelets, evs = state.pool("platelet"), state.pool("ev")
        out = [(platelets, "platelet_inflow", geo.inlet_voxels, volume_per_step * self.platelet_density)]
        conc = plasma_ev_concentration(state, self.ev_fallback)
        if conc > 0.0:
            out.append((evs, "ev_inflow", geo.inlet_voxels, volume_per_step * conc))
        shed = state.arrays.get(EV_SHED_RATE)
        if shed is not None:
            voxels = self._shedding_voxels(state, shed)
            out.append((evs, "ev_shed", voxels, shed.ravel()[voxels].astype(np.float64) * dt))
        return out

    def expected_births(self, state, dt) -> dict[str, float]:
        """Expected births per step of each pool (one transfer; host points only)."""
        sources = self._sources(state, dt)
        sums = state.backend.scalars([lam.sum() for _, _, _, lam in sources])
        out = {"platelet": 0.0, "ev": 0.0}
        for (pool, _, _, _), total in zip(sources, sums):
            out[pool.species.name] += float(total)
        return out

    def act(self, state, dt):
        geo = self.context.geometry
        beta2 = float(state.values.get(EV_BETA2, 1.0))
        streams = {"platelet_inflow": Stream.PLATELET_INFLOW, "ev_inflow": Stream.EV_INFLOW, "ev_shed": Stream.EV_SHED}
        for pool, key, voxels, lam in self._sources(state, dt):
            field, value, place = ("aggregate", -1, Stream.PLATELET_PLACE) if key == "platelet_inflow" else ("beta2", beta2, Stream.EV_PLACE)
            Births(pool, self.k, voxels, lam, state.seed, int(streams[key]), state.step).place(state, geo, int(place), field, value, key)


class BloodTransport(Operation):
    """Move EVs (diffusivity D_ev, cleared with the plasma half-life) and
    non-aggregated platelets (D_platelet) with the flow. Platelets that end
    in OUTLET voxels leave the pool here (counted as outflow); the EVs' fates
    (``context.scratch`` ``ev_fate``: OUTFLOW, CLEARED or KEEP) stay for
    :class:`~alveosim.blood.binding.Binding`, which removes those EVs together
    with the bound ones in one compaction."""

    clocks = frozenset({BLOOD})
    name = "blood.transport"
    after = "blood.inflow"

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

    def _move(self, state, name, diffusivity, p_clear, immobile, stream, dt):
        """Launch the move of pool ``name``; returns its fates (device int8
        [capacity], written on the live rows)."""
        pool = state.pool(name)
        fate = self.context.scratch(state.backend, f"{name}_fate", pool.capacity, np.int8)
        geo = self.context.geometry
        self.k.transport(
            pool.capacity, pool.counter, pool.arrays["pos"], pool.arrays["uid"], pool.arrays["state"], immobile, state.seed, stream, state.step,
            math.sqrt(2.0 * diffusivity * dt), dt, geo.h, p_clear,
            state.arrays[LABELS], state.arrays[OCCLUDED], state.arrays[VELOCITY], fate,
        )
        return fate

    def act(self, state, dt):
        p_clear = -math.expm1(-math.log(2.0) / self.ev_half_life * dt)
        self._move(state, "ev", self.ev_diffusivity, p_clear, NO_STATE, int(Stream.EV_TRANSPORT), dt)
        pl_fate = self._move(state, "platelet", self.platelet_diffusivity, 0.0, AGGREGATED, int(Stream.PLATELET_TRANSPORT), dt)
        remove(state, self.context, "platelet", pl_fate, NO_STATE, "platelet_outflow", None, None)

    def observe(self, state):
        return {"ev_free": float(state.pool("ev").n), **ledger.values(state)}


def remove(state, context, name: str, fate, removed_state: int, outflow: str, cleared: str | None, removed: str | None) -> None:
    """Remove from pool ``name`` the agents whose ``fate`` (device int8
    [capacity]) is OUTFLOW or CLEARED or whose state is ``removed_state``,
    counted in the ledger under ``outflow``, ``cleared`` and ``removed`` (None:
    the pool has no such removals): one tally kernel and one compaction."""
    pool = state.pool(name)
    dead = context.scratch(state.backend, f"{name}_dead", pool.capacity, np.bool_)
    keys = [-1 if key is None else ledger.INDEX[key] for key in (outflow, cleared, removed)]
    state.backend.kernels("blood").tally_removals(pool.capacity, pool.counter, fate, pool.arrays["state"], removed_state, ledger.counts(state), *keys, dead)
    pool.compact(dead)
