"""Feature: circulating tumour cells — the ``ctc:`` config section.

``initialize`` creates the empty ``ctc`` pool; ``operations`` returns, on
the blood clock (so blood windows run them after the platelets' operations
of each blood step): pool headroom at the host points, arrival, movement
and arrest; then on the tissue clock, after the blood windows: outflow of
the CTCs still circulating, extravasation into tumour cells and clearance.

State it keeps: the ``ctc`` pool and ``state.arrays["ctc_ledger"]``.
"""

from __future__ import annotations

from alveosim.blood.settle import host_points
from alveosim.ctc.blood import CtcArrival, CtcContext, CtcHeadroom, CtcStep
from alveosim.ctc.foci import CtcFate
from alveosim.ctc.species import CTC
from alveosim.operations import Operation


def problems(cfg) -> list[str]:
    """What a config with ``ctc:`` lacks: ``blood:`` to carry the CTCs and
    ``tumour:`` for the cells they become (the blood side itself needs the
    lattice's labels and flow)."""
    if cfg.ctc is None:
        return []
    return [f"ctc: circulating tumour cells need a '{name}:' section" for name in ("blood", "tumour") if getattr(cfg, name) is None]


def initialize(sim) -> None:
    """The empty CTC pool of a new run (CTCs arrive with the blood)."""
    cfg = sim.config.ctc
    if cfg is not None:
        sim.add_pool(CTC, cfg.capacity or 256)


def operations(sim) -> list[Operation]:
    """The CTC operations in step order, when the config has ``ctc:``."""
    cfg = sim.config.ctc
    if cfg is None:
        return []
    for problem in problems(sim.config):
        raise ValueError(problem)
    context = CtcContext(cfg.contact_distance)
    arrival = CtcArrival(context, cfg.concentration)
    return [
        CtcHeadroom(arrival, host_points(sim.config)),
        arrival,
        CtcStep(context, cfg.diffusivity, cfg.arrest_rate, cfg.clot_enhancement),
        CtcFate(cfg, sim.config.tumour),
    ]
