"""Lesion measurements (sim/lesions/feature.py) on synthetic pools with the contract's
field names: foci split and merge with the geometry, the whole-mount area is
the analytic column count × h², macrophages on a lesion's shell are at the
rim and inside it in the core, far macrophages are not in a lesion, and the
CPU equals the CUDA simulator."""

import math

import numpy as np
import pytest

from alveosim.backend import select_backend
from alveosim.config.loader import load_config
from alveosim.lesions.config import LesionsConfig
from alveosim.lesions.feature import lesion_cell_list, measure
from alveosim.pools import AgentPool
from alveosim.simulation import Simulation
from alveosim.species import Species
from alveosim.state import State
from tests.test_clusters import brute_force_labels

# unregistered stand-ins with the contract's fields (the real species live in sim/tumour, sim/alveolar)
TUMOUR_LIKE = Species("tumour", fields={"pos": ("f4", (3,)), "radius": ("f4", ()), "volume": ("f4", ()), "lesion": ("i8", ())})
MACROPHAGE_LIKE = Species("macrophage", fields={"pos": ("f4", (3,))})

BOX = np.array([120.0, 120.0, 120.0])
VOXEL = 2.5
SHAPE_XY = (48, 48)
R_CELL = 5.0
V_CELL = 4.0 / 3.0 * math.pi * R_CELL**3


def ball(centre, radius, spacing=8.0):
    """Cubic-lattice points within ``radius`` of ``centre`` (µm), float32 [k, 3]."""
    g = np.arange(-radius, radius + 1e-9, spacing)
    pts = np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1).reshape(-1, 3)
    return (pts[(pts**2).sum(1) <= radius**2] + centre).astype(np.float32)


def make_state(backend, tumour_pos, trm_pos=(), mdm_pos=()):
    state = State(backend, seed=0)
    tumour = AgentPool(TUMOUR_LIKE, len(tumour_pos), backend)
    k = len(tumour_pos)
    tumour.add({"pos": np.asarray(tumour_pos, np.float32), "radius": np.full(k, R_CELL, np.float32), "volume": np.full(k, V_CELL, np.float32), "lesion": np.full(k, -1)})
    state.pools["tumour"] = tumour
    for name, pos in (("trm", trm_pos), ("mdm", mdm_pos)):
        if len(pos):
            pool = AgentPool(MACROPHAGE_LIKE, len(pos), backend)
            pool.add({"pos": np.asarray(pos, np.float32)})
            state.pools[name] = pool
    return state


def run_measure(backend, state, **cfg):
    cfg = LesionsConfig(**cfg)
    cells = lesion_cell_list(backend, state.pool("tumour"), cfg, BOX, VOXEL, None)
    return measure(cells, state, cfg, VOXEL, SHAPE_XY)


def sphere_radius(cells):
    return (3.0 * cells * V_CELL / (4.0 * math.pi)) ** (1.0 / 3.0)


def test_two_balls_are_two_foci_and_merge_into_one(backend):
    a, b = ball([35.0, 60.0, 60.0], 10.0), ball([85.0, 60.0, 60.0], 10.0)
    state = make_state(backend, np.concatenate([a, b]))
    out = run_measure(backend, state)
    assert out["tumour_foci"] == 2
    lesion = backend.to_host(state.pool("tumour").live("lesion"))
    np.testing.assert_array_equal(lesion, np.repeat([0, len(a)], [len(a), len(b)]))  # least uid of each ball
    assert out["lesion_radius_mean_um"] == pytest.approx(sphere_radius(len(a)), rel=1e-6)
    # move b until its nearest cells are 11 um from a's (< 1.2 * (5 + 5)): one lesion
    b_touching = b.copy()
    b_touching[:, 0] -= (b[:, 0].min() - a[:, 0].max()) - 11.0
    merged = make_state(backend, np.concatenate([a, b_touching]))
    out = run_measure(backend, merged)
    assert out["tumour_foci"] == 1
    np.testing.assert_array_equal(backend.to_host(merged.pool("tumour").live("lesion")), 0)
    assert out["lesion_radius_mean_um"] == pytest.approx(sphere_radius(len(a) + len(b)), rel=1e-6)


def test_min_cells_drops_small_clusters_from_foci_and_area(backend):
    big = ball([40.0, 40.0, 60.0], 10.0)
    single = np.array([[100.0, 100.0, 60.0]], np.float32)
    state = make_state(backend, np.concatenate([big, single]))
    assert run_measure(backend, state)["tumour_foci"] == 2
    out = run_measure(backend, state, min_cells=2)
    assert out["tumour_foci"] == 1
    assert backend.to_host(state.pool("tumour").live("lesion"))[-1] == -1
    columns = {(int(x // VOXEL), int(y // VOXEL)) for x, y, _ in big}
    assert out["tumour_area_um2"] == pytest.approx(len(columns) * VOXEL**2)


def test_projected_area_counts_distinct_voxel_columns(backend):
    """Cells at voxel centres: a 4 × 3 block of columns, each stacked three
    high in z (stacked cells cover one column), plus one column elsewhere."""
    cols = [(ix, iy) for ix in range(10, 14) for iy in range(20, 23)] + [(40, 5)]
    pos = [((ix + 0.5) * VOXEL, (iy + 0.5) * VOXEL, 30.0 + 8.0 * k) for ix, iy in cols for k in range(3)]
    out = run_measure(backend, make_state(backend, pos))
    assert out["tumour_area_um2"] == pytest.approx(13 * VOXEL**2)


def shell_points(centre, r, count, seed):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(count, 3))
    return (centre + r * v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("where, rim, core", [("shell", 1.0, 0.0), ("inside", 0.0, 1.0)])
def test_rim_and_core_fractions(backend, where, rim, core):
    centre = np.array([60.0, 60.0, 60.0])
    tumour = ball(centre, 16.0)
    big_r = sphere_radius(len(tumour))
    r = 0.9 * big_r if where == "shell" else 0.4 * big_r
    state = make_state(backend, tumour, trm_pos=shell_points(centre, r, 12, seed=1))
    out = run_measure(backend, state)
    assert out["tumour_foci"] == 1 and out["lesion_trm"] == 12
    assert (out["trm_rim_fraction"], out["trm_core_fraction"]) == (rim, core)


def test_tumour_to_trm_distance_is_the_brute_force_mean(backend):
    """tumour_trm_distance_um = mean over lesion cells of the distance to the
    nearest TRM (brute force here); TRMs on the rim are farther from the
    average cell than TRMs among the cells."""
    centre = np.array([60.0, 60.0, 60.0])
    tumour = ball(centre, 20.0)
    big_r = sphere_radius(len(tumour))
    means = []
    for r in (0.3 * big_r, big_r + 5.0):
        trm = shell_points(centre, r, 6, seed=4)
        out = run_measure(backend, make_state(backend, tumour, trm_pos=trm))
        d = np.linalg.norm(tumour[:, None, :].astype(np.float64) - trm[None, :, :], axis=2).min(axis=1)
        assert out["tumour_trm_distance_um"] == pytest.approx(d.mean(), rel=1e-6)
        means.append(out["tumour_trm_distance_um"])
    assert means[1] > means[0]


def test_far_macrophages_are_not_in_a_lesion(backend):
    centre = np.array([40.0, 40.0, 40.0])
    tumour = ball(centre, 10.0)
    big_r = sphere_radius(len(tumour))
    near = shell_points(centre, big_r + 10.0, 5, seed=2)  # within R + margin (15 um)
    far = shell_points(centre, big_r + 20.0, 7, seed=3)
    state = make_state(backend, tumour, trm_pos=np.concatenate([near, far[:3]]), mdm_pos=np.concatenate([far, near[:2]]))
    out = run_measure(backend, state)
    assert out["lesion_trm"] == 5 and out["lesion_mdm"] == 2
    assert out["trm_rim_fraction"] == 1.0  # beyond R counts as rim
    assert run_measure(backend, state, margin="25 um")["lesion_mdm"] == 9


def test_macrophages_go_to_the_lesion_whose_surface_is_nearest(backend):
    """A TRM 20 um from a small lesion's centre but inside a big lesion
    belongs to the big one (least d − R), in its core."""
    big = ball([40.0, 60.0, 60.0], 24.0)
    small = np.array([[90.0, 60.0, 60.0]], np.float32)
    big_r = sphere_radius(len(big))
    trm = np.array([[40.0 + 0.5 * big_r, 60.0, 60.0]], np.float32)
    out = run_measure(backend, make_state(backend, np.concatenate([big, small]), trm_pos=trm))
    assert out["tumour_foci"] == 2 and out["lesion_trm"] == 1 and out["trm_core_fraction"] == 1.0


def test_empty_tumour_pool_gives_zeros_and_no_distances(backend):
    """Counts are 0; a radius or a distance that does not exist is NaN (a
    plot leaves it out), never 0 µm."""
    out = run_measure(backend, make_state(backend, np.zeros((0, 3), np.float32), trm_pos=[[5.0, 5.0, 5.0]]))
    radius, distance = out.pop("lesion_radius_mean_um"), out.pop("tumour_trm_distance_um")
    assert np.isnan(radius) and np.isnan(distance)
    assert out == {"tumour_foci": 0.0, "tumour_area_um2": 0.0, "lesion_trm": 0.0, "trm_rim_fraction": 0.0, "trm_core_fraction": 0.0, "lesion_mdm": 0.0}


def test_backends_agree_on_random_clusters(cpu, cuda):
    rng = np.random.default_rng(7)
    tumour = (rng.random((150, 3)) * 100 + 10).astype(np.float32)
    trm = (rng.random((40, 3)) * 120).astype(np.float32)
    mdm = (rng.random((30, 3)) * 120).astype(np.float32)
    outs, lesions = [], []
    for be in (cpu, cuda):
        state = make_state(be, tumour, trm_pos=trm, mdm_pos=mdm)
        outs.append(run_measure(be, state))
        lesions.append(be.to_host(state.pool("tumour").live("lesion")))
    assert outs[0] == outs[1] and outs[0]["tumour_foci"] > 3
    np.testing.assert_array_equal(lesions[0], lesions[1])


def whole_run_config():
    au = {"unit": "a.u.", "diffusivity": "10 um^2/s", "label_diffusivity": {"air": "10 um^2/s"}, "half_life": "2 h"}
    return load_config(data={
        "seed": 3,
        "backend": "cpu",
        "domain": {"size": ["60 um", "60 um", "40 um"], "voxel": "2.5 um"},
        "lattice": {"alveolar_diameter": "20 um", "septal_thickness": "6 um", "capillary_thickness": "3 um", "post_spacing": "6 um", "post_radius": "1 um"},
        "fields": {"named": {"tumour_signal": au, "emt_factor": au, "immune_suppression": au}},
        "tumour": {"radius": "3 um", "doubling_time": "1 d", "seeding": {"time": "1 h", "count": 3, "cells_per_focus": 5, "focus_radius": "12 um"}},
        "alveolar_macrophages": {"per_alveolus": 6.0, "chemotactic_speed": "2 um/min", "gradient_half_saturation": "1e-4 /um", "mdm": {"onset": "2 h", "rate": "40 /d", "reach": "20 um"}},
        "lesions": {"margin": "8 um", "min_cells": 2},
        "phases": [{"name": "tissue", "clock": "tissue", "duration": "6 h", "dt": "1 h"}],
        "output": {"timeseries_every": 2, "progress": False},
    })


def test_whole_run_logs_lesions_that_match_brute_force():
    """A tiny run with lattice, fields, tumour cells, TRMs and MDMs: every
    logged row has the lesion keys, none before seeding, and the last row's
    foci, lesion labels and lesion TRM/MDM counts equal a brute-force
    recomputation from the final pools."""
    sim = Simulation(whole_run_config(), backend=select_backend("cpu"))
    sim.run()
    rows = sim.timeseries.rows
    keys = {"tumour_foci", "tumour_area_um2", "lesion_radius_mean_um", "lesion_trm", "lesion_mdm", "trm_rim_fraction", "trm_core_fraction"}
    assert all(keys <= set(r) and all(np.isfinite(r[k]) for k in keys if r["tumour_foci"] or k != "lesion_radius_mean_um") for r in rows)
    assert rows[0]["tumour_foci"] == 0 and rows[0]["tumour_area_um2"] == 0 and np.isnan(rows[0]["lesion_radius_mean_um"])
    last = rows[-1]
    cfg = sim.config.lesions
    t = sim.state.pool("tumour").to_host()
    n = len(t["uid"])
    labels = brute_force_labels(t["pos"], t["uid"], np.ones(n, bool), 0.0, t["radius"], cfg.link_factor)
    uniq, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    kept = counts >= cfg.min_cells
    np.testing.assert_array_equal(t["lesion"], np.where(kept[inverse], labels, -1))
    assert last["tumour_foci"] == kept.sum() >= 1
    centre = np.stack([np.bincount(inverse, t["pos"][:, a].astype(np.float64)) for a in range(3)], 1) / counts[:, None]
    radius = np.cbrt(3 * np.bincount(inverse, t["volume"].astype(np.float64)) / (4 * np.pi))
    centre, radius = centre[kept], radius[kept]
    for name in ("trm", "mdm"):
        p = sim.state.pool(name).to_host()["pos"].astype(np.float64)
        d = np.sqrt(((p[:, None, :] - centre[None]) ** 2).sum(-1))
        k = np.argmin(d - radius[None], axis=1)
        dk = d[np.arange(len(p)), k]
        assert last[f"lesion_{name}"] == np.count_nonzero(dk < radius[k] + cfg.margin)
    assert sim.state.pool("mdm").n > 0
