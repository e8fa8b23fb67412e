"""Feature module of the blood side: sEVs and platelets on the
blood clock (transport, binding, activation, aggregation, occlusion)."""

from __future__ import annotations

import numpy as np

from alveosim.blood import ledger
from alveosim.blood.aggregation import AggregateLabels, Aggregation
from alveosim.blood.binding import Binding
from alveosim.blood.clots import Occlusion
from alveosim.blood.geometry import BloodContext, BloodGeometry
from alveosim.blood.platelets import PlateletActivation, seed_in_blood
from alveosim.blood.settle import PoolHeadroom, host_points
from alveosim.blood.species import EV, PLATELET
from alveosim.blood.transport import BloodInflow, BloodTransport, plasma_ev_concentration
from alveosim.operations import Operation
from alveosim.streams import Stream


def initialize(sim) -> None:
    """Seed platelets (``blood.platelets.density`` × open blood volume) and
    free sEVs (plasma sEV-β2 concentration × the same volume) uniformly in
    open blood voxels; zero the ledger."""
    cfg = sim.config.blood
    if cfg is None:
        return
    st = sim.state
    geo = BloodGeometry(sim)
    open_voxels = geo.blood_mask & (st.arrays["occluded"].ravel() == 0)
    voxels = sim.backend.to_host(sim.backend.xp.flatnonzero(open_voxels)).astype(np.int64)
    volume = voxels.size * geo.voxel_volume
    rng = np.random.default_rng([sim.config.seed, int(Stream.BLOOD_SEEDING)])
    n_platelets = int(round(cfg.platelets.density * volume))
    n_evs = int(round(plasma_ev_concentration(st, cfg.vesicles.plasma_concentration) * volume))
    platelets = sim.add_pool(PLATELET, cfg.platelets.capacity or max(1024, 2 * n_platelets))
    evs = sim.add_pool(EV, cfg.vesicles.capacity or max(1024, 2 * n_evs))
    seed_in_blood(platelets, n_platelets, voxels, geo.h, geo.shape, rng)
    platelets.live("aggregate")[:] = -1
    seed_in_blood(evs, n_evs, voxels, geo.h, geo.shape, rng)
    evs.live("beta2")[:] = float(st.values.get("ev_beta2", 1.0))
    ledger.counts(st)
    ledger.add(st, "platelet_seeded", n_platelets)
    ledger.add(st, "ev_seeded", n_evs)


def operations(sim) -> list[Operation]:
    """The blood-clock operations in step order: pool headroom (host points),
    inflow and shedding, transport and outflow, binding, activation,
    aggregation, aggregate labels and occlusion (host points)."""
    cfg = sim.config.blood
    if cfg is None:
        return []
    p, v = cfg.platelets, cfg.vesicles
    context = BloodContext(cutoff=max(p.contact_distance, p.aggregation_radius))
    hosts = host_points(sim.config)
    inflow = BloodInflow(context, p.density, v.plasma_concentration)
    return [
        PoolHeadroom(inflow, hosts),
        inflow,
        BloodTransport(context, v.diffusivity, v.half_life, p.diffusivity),
        Binding(context, v.binding_rate, p.contact_distance),
        PlateletActivation(p.bonds_to_prime, p.activation_delay, p.spontaneous_activation_rate),
        Aggregation(context, p.aggregation_rate, p.aggregation_radius),
        AggregateLabels(p.aggregation_radius, hosts),
        Occlusion(context, cfg.occlusion_threshold, p.volume, hosts),
    ]
