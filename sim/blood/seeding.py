"""Free blood in the box: resting platelets and sEVs at their steady-state
densities, placed uniformly in the open blood voxels (the initial state, and
the fresh blood at the start of each blood window)."""

from __future__ import annotations

import numpy as np

from alveosim.blood import ledger
from alveosim.blood.platelets import seed_in_blood
from alveosim.blood.transport import plasma_ev_concentration
from alveosim.channels import EV_BETA2, OCCLUDED


def _open_voxels(state, geo) -> np.ndarray:
    """Host int64 flat ids of the open (not occluded) blood voxels."""
    open_voxels = geo.blood_mask & (state.arrays[OCCLUDED].ravel() == 0)
    return state.backend.to_host(state.backend.xp.flatnonzero(open_voxels)).astype(np.int64)


def free_counts(state, geo, cfg, voxels: np.ndarray | None = None) -> tuple[int, int]:
    """(platelets, EVs) free blood holds at its steady-state densities in the
    open blood volume: ``cfg.platelets.density`` and the plasma sEV-β2."""
    voxels = _open_voxels(state, geo) if voxels is None else voxels
    volume = voxels.size * geo.voxel_volume
    n_evs = int(round(plasma_ev_concentration(state, cfg.vesicles.plasma_concentration) * volume))
    return int(round(cfg.platelets.density * volume)), n_evs


def seed_free(state, geo, cfg, rng: np.random.Generator) -> None:
    """Add free blood: resting platelets and sEVs (β2 = ``ev_beta2``) at
    :func:`free_counts`, uniformly over the open blood voxels (host draws
    from ``rng``, platelets first), counted as seeded in the ledger."""
    voxels = _open_voxels(state, geo)
    n_platelets, n_evs = free_counts(state, geo, cfg, voxels)
    platelets, evs = state.pool("platelet"), state.pool("ev")
    first = platelets.n
    seed_in_blood(platelets, n_platelets, voxels, geo.h, geo.shape, rng)
    platelets.arrays["aggregate"][first : platelets.n] = -1
    first = evs.n
    seed_in_blood(evs, n_evs, voxels, geo.h, geo.shape, rng)
    evs.arrays["beta2"][first : evs.n] = float(state.values.get(EV_BETA2, 1.0))
    ledger.add(state, "platelet_seeded", n_platelets)
    ledger.add(state, "ev_seeded", n_evs)
