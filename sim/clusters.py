"""Connected clusters of agents on a cell list: each agent that takes part
gets the least uid of its connected set (agents linked within a distance),
the same label whatever the agents' row order, thread count or backend."""

from __future__ import annotations

import numpy as np

from alveosim.neighbours import CellList


def connected_components(cells: CellList, pos, uid, n: int, mask=None, link_distance: float = 0.0, radius=None, link_factor: float = 0.0):
    """Least-uid labels of the connected sets of agents ``[0, n)``.

    Agents i and j are linked when ``|x_i − x_j| < link_distance + link_factor
    · (r_i + r_j)`` µm and both are in ``mask``. ``cells`` must have been
    built on ``pos[:n]`` with a cutoff at least the largest link distance.

    pos: [≥n, 3] float32, µm; uid: [≥n] int64, unique; mask: [n] bool (None:
    every agent); radius: [≥n] float32, µm (None: no radius term).
    Returns int64 [n]: the least uid of the agent's set, -1 outside ``mask``.
    """
    backend = cells.backend
    xp = backend.xp
    mask_u8 = xp.ones(n, dtype=np.uint8) if mask is None else mask[:n].astype(np.uint8)
    radius_arr = xp.zeros(0, dtype=np.float32) if radius is None else radius
    reach = link_distance
    if radius is not None and link_factor > 0 and n > 0:
        reach += 2.0 * link_factor * float(backend.scalar(radius[:n].max()))
    if reach > cells.cutoff:
        raise ValueError(f"cluster link distance {reach} um exceeds the cell-list cutoff {cells.cutoff} um")
    if cells.n != n:
        raise ValueError(f"the cell list holds {cells.n} agents, expected {n}: build it on the same agents first")
    labels = xp.full(n, -1, dtype=np.int64)
    if n == 0:
        return labels
    k = backend.kernels("neighbours")
    root = xp.arange(n, dtype=np.int64)
    changed = xp.zeros(1, dtype=np.int64)
    while True:
        changed[0] = 0
        k.link_min(n, pos, radius_arr, float(link_factor), float(link_distance), mask_u8, uid, cells.cell_of, cells.dims, cells.cell_start, cells.order, root, changed)
        if int(backend.scalar(changed[0])) == 0:
            break
    inside = mask_u8 != 0
    labels[inside] = uid[:n][root[inside]]
    return labels
