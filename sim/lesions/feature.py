"""Lesion measurements: tumour lesions as connected clusters of
tumour cells, their whole-mount area and size, and the tissue-resident (TRM)
and monocyte-derived (MDM) macrophages in them, at the rim or in the core.

Two tumour cells are linked when their centres are closer than
``link_factor · (r_i + r_j)``; a lesion is a connected set of at least
``min_cells`` cells, labelled by its least uid (sim/clusters.py). Its radius
R is the sphere-equivalent radius of its summed cell volumes and its centre
the mean of its cell centres. A macrophage belongs to the lesion whose
surface is nearest (least ``d − R``, d the distance to the centre) when
``d < R + margin``; a lesion TRM is at the rim when ``d > rim_fraction · R``
and in the core otherwise. ``tumour_trm_distance_um`` is the mean over the
lesions' tumour cells of the distance to the nearest TRM: small while TRMs
sit among the tumour cells, growing as they are crowded out to the rim.

Measured when the time series logs (``observe``), never in the step loop,
and again only after a tissue step (nothing these measures read moves on the
blood clock). Writes the tumour pool's ``lesion`` field (int64 [n]: its
lesion's label, -1 when its cluster is smaller than ``min_cells``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from alveosim.clusters import connected_components
from alveosim.lesions.config import LesionsConfig
from alveosim.neighbours import CellList
from alveosim.operations import TISSUE, Column, Operation

TUMOUR = "tumour"
TRM = "trm"
MDM = "mdm"
POS_SCALE = 2.0**16  # fixed-point steps per µm in per-lesion position sums
VOLUME_SCALE = 2.0**8  # fixed-point steps per µm³ in per-lesion volume sums
PAIRS_PER_CHUNK = 1 << 22  # macrophage × lesion distances per broadcast chunk


@dataclass
class Lesions:
    """Per-lesion statistics (device arrays, m lesions, ordered by label):
    ``label`` int64 [m] (least uid), ``cells`` int64 [m], ``volume_um3``
    float64 [m], ``centre`` float64 [m, 3] µm, ``radius_um`` float64 [m]."""

    label: object
    cells: object
    volume_um3: object
    centre: object
    radius_um: object

    @property
    def count(self) -> int:
        return int(self.label.shape[0])


def exact_sums(xp, index, values, m: int, scale: float):
    """Sum ``values`` (float [k]) into ``m`` bins by ``index`` (int [k]) in
    fixed point: each value is rounded to a multiple of 1/scale, so the float64
    sums are integers below 2⁵³ (|values|·scale·k < 9·10¹⁵) and exact in any
    order — the same on every backend and thread count."""
    fixed = xp.rint(values.astype(np.float64) * scale)
    return xp.bincount(index, weights=fixed, minlength=m) / scale


def find_lesions(cells: CellList, pool, link_factor: float, min_cells: int) -> Lesions:
    """Cluster the tumour cells of ``pool`` (fields ``pos``, ``radius``,
    ``volume``, ``lesion``) on ``cells`` (built on them, cutoff ≥ 2 ·
    link_factor · max radius), write ``lesion`` and return the lesions."""
    xp = cells.backend.xp
    n = pool.n
    labels = connected_components(cells, pool.arrays["pos"], pool.arrays["uid"], n, radius=pool.arrays["radius"], link_factor=link_factor)
    if n == 0:
        empty = xp.zeros(0, dtype=np.float64)
        return Lesions(labels, labels, empty, xp.zeros((0, 3), dtype=np.float64), empty)
    uniq, inverse, counts = xp.unique(labels, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    m = int(uniq.shape[0])
    volume = exact_sums(xp, inverse, pool.live("volume"), m, VOLUME_SCALE)
    pos = pool.live("pos")
    centre = xp.stack([exact_sums(xp, inverse, pos[:, a], m, POS_SCALE) for a in range(3)], axis=1) / counts[:, None]
    kept = counts >= min_cells
    pool.live("lesion")[:] = xp.where(kept[inverse], labels, -1)
    radius = xp.cbrt(3.0 * volume[kept] / (4.0 * math.pi))
    return Lesions(uniq[kept], counts[kept], volume[kept], centre[kept], radius)


def projected_area_um2(backend, pos, voxel_um: float, shape_xy) -> float:
    """Whole-mount area (µm²): the number of distinct (x, y) voxel columns
    holding at least one of the centres ``pos`` ([k, 3] float32, µm), times
    voxel². Columns are clamped into the ``shape_xy`` = (nx, ny) grid."""
    xp = backend.xp
    if pos.shape[0] == 0:
        return 0.0
    ix = xp.clip(xp.floor(pos[:, 0] / voxel_um).astype(np.int64), 0, shape_xy[0] - 1)
    iy = xp.clip(xp.floor(pos[:, 1] / voxel_um).astype(np.int64), 0, shape_xy[1] - 1)
    columns = xp.unique(ix * shape_xy[1] + iy)
    return float(columns.shape[0]) * voxel_um * voxel_um


def lesion_membership(backend, lesions: Lesions, pos, n: int, margin_um: float, rim_fraction: float):
    """For macrophages ``pos[:n]`` ([n, 3] float32, µm): (in_lesion bool [n],
    at_rim bool [n]) against the lesion whose surface is nearest. Brute force
    over (macrophages × lesions) in chunks (lesions are few)."""
    xp = backend.xp
    inside = xp.zeros(n, dtype=bool)
    rim = xp.zeros(n, dtype=bool)
    m = lesions.count
    if m == 0 or n == 0:
        return inside, rim
    step = max(1, PAIRS_PER_CHUNK // m)
    for start in range(0, n, step):
        stop = min(n, start + step)
        p = pos[start:stop].astype(np.float64)
        d = xp.sqrt(((p[:, None, :] - lesions.centre[None, :, :]) ** 2).sum(axis=2))
        k = xp.argmin(d - lesions.radius_um[None, :], axis=1)
        dk = xp.take_along_axis(d, k[:, None], axis=1)[:, 0]
        rk = lesions.radius_um[k]
        inside[start:stop] = dk < rk + margin_um
        rim[start:stop] = dk > rim_fraction * rk
    return inside, rim


def mean_nearest_distance(backend, queries, targets) -> float:
    """Mean over the points ``queries`` ([k, 3] float32 µm, device) of the
    distance (µm) to the nearest of ``targets`` ([m, 3]); NaN (no distance
    exists) when either is empty. A k-d tree on the host (scipy.spatial):
    logging only."""
    if queries.shape[0] == 0 or targets.shape[0] == 0:
        return float("nan")
    from scipy.spatial import cKDTree

    tree = cKDTree(backend.to_host(targets).astype(np.float64))
    distance, _ = tree.query(backend.to_host(queries).astype(np.float64))
    return float(np.mean(distance))


def measure(cells: CellList, state, cfg: LesionsConfig, voxel_um: float, shape_xy) -> dict[str, float]:
    """The lesion time-series values of ``state`` (tumour pool required; the
    ``trm`` and ``mdm`` pools are counted when present). ``cells`` is a cell
    list over the domain with a cutoff ≥ 2 · link_factor · max tumour radius."""
    backend = cells.backend
    xp = backend.xp
    pool = state.pool(TUMOUR)
    cells.build(pool.arrays["pos"], pool.n)
    lesions = find_lesions(cells, pool, cfg.link_factor, cfg.min_cells)
    in_lesion = pool.live("lesion") >= 0
    out = {
        "tumour_foci": float(lesions.count),
        "tumour_area_um2": projected_area_um2(backend, pool.live("pos")[in_lesion], voxel_um, shape_xy),
        "lesion_radius_mean_um": float(backend.scalar(lesions.radius_um.mean())) if lesions.count else float("nan"),
    }
    for name in (TRM, MDM):
        mac = state.pools.get(name)
        n = 0 if mac is None else mac.n
        pos = None if mac is None else mac.arrays["pos"]
        inside, rim = lesion_membership(backend, lesions, pos, n, cfg.margin, cfg.rim_fraction)
        count = int(backend.scalar(xp.count_nonzero(inside)))
        out[f"lesion_{name}"] = float(count)
        if name == TRM:
            at_rim = int(backend.scalar(xp.count_nonzero(inside & rim)))
            out["trm_rim_fraction"] = at_rim / count if count else 0.0
            out["trm_core_fraction"] = (count - at_rim) / count if count else 0.0
            out["tumour_trm_distance_um"] = mean_nearest_distance(backend, pool.live("pos")[in_lesion], pos[:n] if n else xp.zeros((0, 3), dtype=np.float32))
    return out


def lesion_cell_list(backend, pool, cfg: LesionsConfig, box_hi, voxel_um: float, current: CellList | None) -> CellList:
    """A cell list over [0, box_hi) µm whose cutoff covers the longest link of
    the tumour cells now (2 · link_factor · max radius, at least one voxel;
    one cell for an empty pool); ``current`` is kept when its cutoff is
    enough and at most 1.5 times that (larger cells would hold many agents)."""
    if pool.n == 0:
        cutoff = float(np.max(box_hi))
    else:
        cutoff = max(2.0 * cfg.link_factor * float(backend.scalar(pool.live("radius").max())), voxel_um)
    if current is not None and cutoff <= current.cutoff <= 1.5 * cutoff:
        return current
    return CellList(backend, np.zeros(3), box_hi, cutoff)


class LesionMeasurement(Operation):
    """Measures lesions in ``observe`` (at logging), after each tissue step
    at most once; ``act`` only marks that a tissue step happened."""

    clocks = frozenset({TISSUE})
    name = "lesions.measurement"
    after = frozenset({"tumour", "alveolar"})

    def __init__(self, cfg: LesionsConfig, trigger=None):
        super().__init__(trigger)
        self.cfg = cfg
        self.cells: CellList | None = None
        self.latest: dict[str, float] | None = None

    def attach(self, sim):
        super().attach(sim)
        domain = sim.config.domain
        self.voxel = domain.voxel
        self.box_hi = np.asarray(domain.size, dtype=np.float64)
        self.shape_xy = domain.shape[:2]

    def act(self, state, dt):
        self.latest = None

    def columns(self):
        return [
            Column("tumour_foci", "count", "lesions: connected sets of at least min_cells linked tumour cells"),
            Column("tumour_area_um2", "um2", "area of the lesion cells projected on the x-y plane"),
            Column("lesion_radius_mean_um", "um", "mean lesion radius (NaN: no lesion)"),
            Column(f"lesion_{TRM}", "count", "TRMs inside a lesion"),
            Column("trm_rim_fraction", "1", "share of the TRMs inside lesions that are at a rim"),
            Column("trm_core_fraction", "1", "share of the TRMs inside lesions that are in a core"),
            Column("tumour_trm_distance_um", "um", "mean distance from a lesion cell to the nearest TRM (NaN: none)"),
            Column(f"lesion_{MDM}", "count", "MDMs inside a lesion"),
        ]

    def observe(self, state):
        if self.latest is None:
            pool = state.pool(TUMOUR)
            self.cells = lesion_cell_list(state.backend, pool, self.cfg, self.box_hi, self.voxel, self.cells)
            self.latest = measure(self.cells, state, self.cfg, self.voxel, self.shape_xy)
        return dict(self.latest)


def initialize(sim) -> None:
    """Nothing to set up: lesions are measured from the tumour pool."""


def operations(sim) -> list[Operation]:
    """The lesion measurement, whenever the run has a tumour pool."""
    if TUMOUR not in sim.state.pools:
        return []
    return [LesionMeasurement(sim.config.lesions or LesionsConfig())]
