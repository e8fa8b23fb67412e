"""Recruitment of monocyte-derived macrophages (MDMs) from the capillaries in
proportion to the tumour burden, from ``mdm.onset`` on."""

from __future__ import annotations

from alveosim.kernels.rules.alveolar import NO_TUMOUR_UM
from alveosim.kernels.rules.blood import poisson
from alveosim.channels import LABELS
from alveosim.operations import TISSUE, Column, Operation
from alveosim.streams import Stream
from alveosim.triggers import After


def recruit_count(rate: float, n_tumour: int, dt: float, seed: int, step: int) -> int:
    """Poisson(rate · n_tumour · dt) MDMs for this step, one draw keyed by
    (seed, MDM_RECRUIT_COUNT, step): the same on every backend."""
    return int(poisson(rate * n_tumour * dt, seed, int(Stream.MDM_RECRUIT_COUNT), step, 0))


def recruit(backend, mdm, tumour, labels, h: float, reach: float, count: int, seed: int, step: int) -> int:
    """Append ``count`` MDMs (state recruited) next to capillaries near random
    tumour cells (kernels/rules/alveolar.py ``recruit_one``); returns the
    number added (0 without tumour cells)."""
    if count <= 0 or tumour is None or tumour.n == 0:
        return 0
    first = mdm.append(count)
    mdm.arrays["nearest_tumour_um"][first : first + count] = NO_TUMOUR_UM
    backend.kernels("alveolar").recruit(
        count, first, mdm.arrays["pos"], mdm.arrays["uid"], tumour.arrays["pos"], tumour.n, labels, h, reach,
        seed, int(Stream.MDM_PLACEMENT), step,
    )
    return count


class Recruitment(Operation):
    """Tissue clock, every step from ``mdm.onset`` on (After trigger): recruit
    MDMs at ``mdm.rate`` per tumour cell, while fewer than ``mdm.max_count``
    live; ``state.values["mdm_recruited"]`` counts them."""

    clocks = frozenset({TISSUE})
    name = "alveolar.recruitment"
    after = frozenset({"alveolar.motility", "alveolar.secretion"})

    def __init__(self, mdm_cfg):
        super().__init__(After(mdm_cfg.onset))
        self.cfg = mdm_cfg

    def attach(self, sim):
        super().attach(sim)
        self.h = float(sim.config.domain.voxel)

    def act(self, state, dt):
        mdm, tumour = state.pool("mdm"), state.pools.get("tumour")
        n_t = tumour.n if tumour is not None else 0
        count = min(recruit_count(self.cfg.rate, n_t, dt, state.seed, state.step), max(self.cfg.max_count - mdm.n, 0))
        added = recruit(state.backend, mdm, tumour, state.arrays[LABELS], self.h, self.cfg.reach, count, state.seed, state.step)
        state.values["mdm_recruited"] = state.values.get("mdm_recruited", 0.0) + added

    def columns(self):
        return [Column("mdm_recruited", "count", "MDMs recruited since the run started")]

    def observe(self, state):
        return {"mdm_recruited": state.values.get("mdm_recruited", 0.0)}
