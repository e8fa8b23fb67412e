"""Feature module of the blood side: sEVs and platelets on the
blood clock (transport, binding, activation, aggregation, occlusion)."""

from __future__ import annotations

import numpy as np

from alveosim.blood import columns as _columns  # noqa: F401  (declares the time-series columns)
from alveosim.blood import ledger
from alveosim.blood.aggregation import AggregateLabels, Aggregation
from alveosim.blood.binding import Binding
from alveosim.blood.clots import Occlusion
from alveosim.blood.geometry import BloodContext, BloodGeometry, PlateletCellList
from alveosim.blood.haemostasis import Haemostasis
from alveosim.blood.platelets import PlateletActivation
from alveosim.blood.resolution import ClotResolution
from alveosim.blood.seeding import free_counts, seed_free
from alveosim.blood.settle import PoolHeadroom, host_points
from alveosim.blood.species import EV, PLATELET
from alveosim.blood.transport import BloodInflow, BloodTransport
from alveosim.blood.windows import BloodWindow, window_trigger
from alveosim.channels import BLOOD_WINDOWS, OCCLUSION_EVENTS
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
    n_platelets, n_evs = free_counts(st, geo, cfg)
    sim.add_pool(PLATELET, cfg.platelets.capacity or max(1024, 2 * n_platelets))
    sim.add_pool(EV, cfg.vesicles.capacity or max(1024, 2 * n_evs))
    ledger.counts(st)
    seed_free(st, geo, cfg, np.random.default_rng([sim.config.seed, int(Stream.BLOOD_SEEDING)]))


def operations(sim) -> list[Operation]:
    """The blood-clock operations in step order: pool headroom (host points),
    inflow and shedding, transport and outflow, binding, activation,
    aggregation, haemostasis at an injury (with ``blood.injury``), aggregate
    labels and occlusion (host points); then, on the
    tissue clock, clot resolution (with ``blood.clot_half_life``) and the
    blood windows (when a phase has ``blood_windows``)."""
    cfg = sim.config.blood
    if cfg is None:
        return []
    p, v = cfg.platelets, cfg.vesicles
    context = BloodContext(cutoff=max(p.contact_distance, p.aggregation_radius))
    hosts = host_points(sim.config)
    inflow = BloodInflow(context, p.density, v.plasma_concentration)
    ops = [
        PoolHeadroom(inflow, hosts),
        inflow,
        BloodTransport(context, v.diffusivity, v.half_life, p.diffusivity),
        PlateletCellList(context),
        Binding(context, v.binding_rate, p.contact_distance),
        PlateletActivation(p.bonds_to_prime, p.activation_delay, p.spontaneous_activation_rate),
        Aggregation(context, p.aggregation_rate, p.aggregation_radius),
        AggregateLabels(p.aggregation_radius, hosts),
        Occlusion(context, cfg.occlusion_threshold, p.volume, hosts),
    ]
    if cfg.injury is not None:
        ops.insert(-2, Haemostasis(context, cfg.injury, p.volume, p.aggregation_radius))  # before aggregate labels and occlusion
    sim.channels.publish(OCCLUSION_EVENTS, __name__)
    if cfg.clot_half_life is not None:
        ops.append(ClotResolution(context, cfg.clot_half_life, cfg.occlusion_threshold, p.volume))
    if any(phase.blood_windows is not None for phase in sim.config.phases):
        sim.channels.publish(BLOOD_WINDOWS, __name__)
        ops.append(BloodWindow(context, window_trigger(sim.config)))
    return ops
