"""Feature: tissue-resident alveolar macrophages (TRMs) and monocyte-derived
macrophages (MDMs) of the early-lung-tumour niche (Casanova-Acebes
et al., Nature 2021).

Initial state: the ``trm`` pool on the alveolar surface of the lattice and an
empty ``mdm`` pool. Operations on the tissue clock, after the tumour feature's
(which seeds, grows and moves the ``tumour`` pool): depletion (once, when
configured), sensing and the contact switch (writes ``tumour.trm_contact``),
motion, secretion, MDM recruitment (when configured).

State it keeps: the two pools and ``state.values`` ``trm_depleted``,
``mdm_recruited`` (cumulative counts).
"""

from __future__ import annotations

import numpy as np

from alveosim.kernels.rules.alveolar import NO_TUMOUR_UM
from alveosim.alveolar.contacts import Contacts
from alveosim.alveolar.depletion import Depletion
from alveosim.alveolar.motility import Motility
from alveosim.alveolar.placement import surface_positions, trm_count
from alveosim.alveolar.recruitment import Recruitment
from alveosim.alveolar.secretion import Secretion, secreted_fields
from alveosim.alveolar.species import MDM, TRM
from alveosim.channels import FIELDS, LABELS
from alveosim.operations import Operation


def required_fields(cfg) -> list[tuple[str, str]]:
    """(field, why) for each field the configured behaviour uses."""
    need = [(name, f"tumour-associated {pool.upper()}s secrete it") for pool, name, _ in secreted_fields(cfg)]
    if cfg.chemotactic_speed > 0:
        need.insert(0, ("tumour_signal", "TRMs and MDMs chemotax up it"))
    return need


def check_inputs(sim) -> None:
    """Raise ValueError naming what a config with ``alveolar_macrophages:`` lacks."""
    if sim.config.lattice is None:
        raise ValueError("alveolar_macrophages: needs the lung lattice (a 'lattice:' section) to place TRMs on the alveolar surface")
    fields = sim.channels.optional(FIELDS, "alveosim.alveolar")
    names = fields.names if fields is not None else []
    for name, why in required_fields(sim.config.alveolar_macrophages):
        if name not in names:
            raise ValueError(f"alveolar_macrophages: needs a '{name}' field in fields.named ({why}); declared: {names}")


def initialize(sim) -> None:
    """Place the TRMs and create the empty MDM pool (new runs only)."""
    cfg = sim.config.alveolar_macrophages
    if cfg is None:
        return
    check_inputs(sim)
    labels = sim.backend.to_host(sim.state.arrays[LABELS])
    h = float(sim.config.domain.voxel)
    count = trm_count(labels, h, cfg.per_alveolus, sim.config.lattice.alveolar_diameter)
    pos = surface_positions(labels, h, count, sim.config.seed)
    trm = sim.add_pool(TRM, max(1, len(pos)))
    trm.add({"pos": pos, "nearest_tumour_um": np.full(len(pos), NO_TUMOUR_UM, dtype=np.float32)})
    sim.add_pool(MDM, 64)


def operations(sim) -> list[Operation]:
    """The TRM/MDM operations in step order, when configured."""
    cfg = sim.config.alveolar_macrophages
    if cfg is None:
        return []
    check_inputs(sim)
    ops: list[Operation] = []
    if cfg.depletion is not None:
        ops.append(Depletion(cfg.depletion))
    ops += [Contacts(cfg), Motility(cfg)]
    if secreted_fields(cfg):
        ops.append(Secretion(cfg))
    if cfg.mdm is not None:
        ops.append(Recruitment(cfg.mdm))
    return ops
