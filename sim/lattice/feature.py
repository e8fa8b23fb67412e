"""The lattice feature: generates the lung lattice into the State
(channels ``labels``, ``occluded``, ``pressure``, ``velocity``), publishes
the ``flow`` channel (the flow solver) and solves the initial flow; logs the flow values. Absent ``lattice:``
section = no lattice."""

from __future__ import annotations

from alveosim.arrays import declare
from alveosim.channels import FLOW, LABELS, OCCLUDED, PRESSURE, VELOCITY
from alveosim.labels import NAMES
from alveosim.lattice.flow import Flow
from alveosim.lattice.generate import generate
from alveosim.operations import Column, Operation

declare(LABELS, "label code", categories=tuple(NAMES[code] for code in sorted(NAMES)))
declare(OCCLUDED, "1 occluded by a clot, 0 open")
declare(PRESSURE, "Pa")
declare(VELOCITY, "um/s")


class FlowObserver(Operation):
    """Logs the flow values (nothing to act on: the flow changes only when
    another feature occludes voxels and calls the ``flow`` channel's ``solve``)."""

    name = "lattice.flow"

    COLUMNS = (
        Column("flow_mean_speed_um_s", "um/s", "mean blood speed over the conducting capillary voxels"),
        Column("flow_rate_um3_s", "um3/s", "blood inflow through the domain"),
        Column("flow_transit_time_s", "s", "mean transit time scaled to an acinar path"),
        Column("flow_pressure_drop_Pa", "Pa", "arterio-venous pressure drop (fixed at the first flow solve)"),
        Column("capillary_occluded_fraction", "1", "share of the capillary voxels occluded by clots"),
    )
    KEYS = tuple(c.name for c in COLUMNS)

    def columns(self):
        return list(self.COLUMNS)

    def observe(self, state):
        return {key: state.values.get(key, 0.0) for key in self.KEYS}


def initialize(sim) -> None:
    """Generate the lattice and solve the initial flow (new runs only)."""
    cfg = sim.config.lattice
    if cfg is None:
        return
    xp = sim.backend.xp
    shape = sim.config.domain.shape
    lattice = generate(sim.backend, shape, sim.config.domain.voxel, cfg, sim.config.seed)
    arrays = sim.state.arrays
    arrays[LABELS] = lattice.labels
    arrays[OCCLUDED] = xp.zeros(shape, dtype="uint8")
    arrays[PRESSURE] = xp.zeros(shape, dtype="float32")
    arrays[VELOCITY] = xp.zeros(shape + (3,), dtype="float32")
    _publish(sim).solve(sim.state)


def _publish(sim) -> Flow:
    """Publish the flow solver and the lattice arrays (once); returns the solver."""
    ch = sim.channels
    if not ch.published(FLOW):
        ch.publish(FLOW, __name__, Flow.from_config(sim.backend, sim.config))
        for name in (LABELS, OCCLUDED, PRESSURE, VELOCITY):
            ch.publish(name, __name__)
    return ch.value(FLOW)


def operations(sim) -> list[Operation]:
    """The flow observer; also publishes the flow solver when resuming from a checkpoint."""
    if sim.config.lattice is None:
        return []
    _publish(sim)
    return [FlowObserver()]
