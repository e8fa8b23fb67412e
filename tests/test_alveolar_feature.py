"""The alveolar-macrophage feature inside a whole run (lattice, fields, tumour
cells): TRMs placed on the alveolar surface, confined to AIR, depletion before
seeding, MDM recruitment only after onset, secretion only by
tumour-associated TRMs, the contract's time-series keys, a clear error for a
missing field, and a resumed run equal to the uninterrupted one."""

import math

import numpy as np
import pytest

from alveosim.backend import select_backend
from alveosim.config.loader import load_config
from alveosim.io.resume import resume
from alveosim.labels import AIR, BLOOD
from alveosim.simulation import Simulation

DAY = 86400.0


def config(**alveolar):
    am = {
        "per_alveolus": 6.0,
        "chemotactic_speed": "2 um/min",
        "gradient_half_saturation": "1e-4 /um",
        "contact_distance": "12 um",
        "emt_factor_secretion": "1e3 um^3/s",
        "immune_suppression_secretion": "1e3 um^3/s",
        "depletion": {"fraction": 0.5, "time": "0 h"},
        "mdm": {"onset": "3 h", "rate": "20 /d", "reach": "20 um"},
        **alveolar,
    }
    au = {"unit": "a.u.", "diffusivity": "10 um^2/s", "label_diffusivity": {"air": "10 um^2/s"}, "half_life": "2 h"}
    data = {
        "seed": 4,
        "backend": "cpu",
        "domain": {"size": ["60 um", "60 um", "40 um"], "voxel": "2.5 um"},
        "lattice": {"alveolar_diameter": "20 um", "septal_thickness": "6 um", "capillary_thickness": "3 um",
                    "post_spacing": "6 um", "post_radius": "1 um"},
        "fields": {"named": {"tumour_signal": au, "emt_factor": au, "immune_suppression": au}},
        "tumour": {"radius": "3 um", "doubling_time": "2 d", "seeding": {"time": "1 h", "count": 2, "cells_per_focus": 4, "focus_radius": "15 um"}},
        "alveolar_macrophages": am,
        "phases": [{"name": "tissue", "clock": "tissue", "duration": "6 h", "dt": "1 h"}],
        "output": {"timeseries_every": 1, "progress": False, "checkpoint_every": "2 h"},
    }
    return load_config(data=data)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    sim = Simulation(config(), backend=select_backend("cpu"), run_dir=tmp_path_factory.mktemp("am") / "run")
    placed = sim.state.pool("trm").n
    sim.run()
    return sim, placed


def test_trms_placed_depleted_and_confined(run):
    sim, placed = run
    cfg = sim.config
    labels = sim.state.arrays["labels"]
    air = (labels == AIR).sum() * cfg.domain.voxel**3
    assert placed == round(6.0 * air / (math.pi / 6 * cfg.lattice.alveolar_diameter**3)) > 20
    rows = sim.timeseries.rows
    depleted = rows[1]["trm_depleted"]
    assert abs(depleted - 0.5 * placed) < 4.5 * math.sqrt(0.25 * placed)
    assert rows[-1]["trm_count"] == placed - depleted == sim.state.pool("trm").n
    p = sim.state.pool("trm").to_host()["pos"]
    ijk = np.floor(p / cfg.domain.voxel).astype(int)
    assert np.all(labels[tuple(ijk.T)] == AIR)


def test_recruitment_after_onset_and_outputs(run):
    sim, _ = run
    rows = sim.timeseries.rows
    keys = {"trm_count", "trm_tumour_associated", "mdm_count", "trm_tumour_distance_um", "trm_depleted", "mdm_recruited"}
    assert keys <= set(rows[-1])
    assert all(np.isfinite(r[k]) for r in rows for k in keys - {"trm_tumour_distance_um"})
    assert np.isnan(rows[0]["trm_tumour_distance_um"])  # before seeding: no distance, not 0 um
    by_time = {round(r["time_s"] / 3600): r for r in rows}
    assert by_time[2]["mdm_recruited"] == 0  # onset 3 h: the step ending at 3 h is the first to recruit
    assert by_time[6]["mdm_recruited"] > 0 and by_time[6]["mdm_count"] == by_time[6]["mdm_recruited"]
    mdm = sim.state.pool("mdm").to_host()
    ijk = np.floor(mdm["pos"] / sim.config.domain.voxel).astype(int)
    assert not np.isin(sim.state.arrays["labels"][tuple(ijk.T)], BLOOD).any()
    assert 0.0 < rows[-1]["trm_tumour_distance_um"] < 100.0


def test_secretion_only_from_tumour_associated_trms(run):
    sim, _ = run
    fields = sim.fields
    emt = sim.state.arrays["fields"][fields.index("emt_factor")]
    ta = sim.state.pool("trm").to_host()["state"] >= 1
    assert ta.any() and emt.max() > 0
    cold = Simulation(config(emt_factor_secretion="0 um^3/s", immune_suppression_secretion="0 um^3/s"), backend=select_backend("cpu"))
    cold.run(until=3 * 3600)
    assert cold.state.arrays["fields"][cold.fields.index("emt_factor")].max() == 0


def test_tumour_associated_mdms_secrete_immune_suppression():
    mdm = {"onset": "1 h", "rate": "40 /d", "reach": "20 um", "immune_suppression_secretion": "1e3 um^3/s"}
    sim = Simulation(config(emt_factor_secretion="0 um^3/s", immune_suppression_secretion="0 um^3/s", mdm=mdm),
                     backend=select_backend("cpu"))
    sim.run()
    associated = (sim.state.pool("mdm").to_host()["state"] >= 1).sum()
    suppression = sim.state.arrays["fields"][sim.fields.index("immune_suppression")]
    assert associated > 0 and suppression.max() > 0
    assert sim.state.arrays["fields"][sim.fields.index("emt_factor")].max() == 0  # MDMs do not drive EMT


def test_missing_field_is_a_clear_error():
    cfg = config()
    del cfg.fields.named["immune_suppression"]
    with pytest.raises(ValueError, match="'immune_suppression' field"):
        Simulation(cfg, backend=select_backend("cpu"))


def test_resume_equals_uninterrupted_run(run, tmp_path):
    sim, _ = run
    ckpt = sorted((sim.run_dir / "checkpoints").glob("step_*.h5"))
    mid = [c for c in ckpt if c.name == "step_0000000004.h5"]
    assert mid, [c.name for c in ckpt]
    second = resume(mid[0], backend=select_backend("cpu"), run_dir=tmp_path / "second")
    second.run()
    for name in ("trm", "mdm"):
        a, b = sim.state.pool(name).to_host(), second.state.pool(name).to_host()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    np.testing.assert_array_equal(sim.state.pool("tumour").to_host()["trm_contact"], second.state.pool("tumour").to_host()["trm_contact"])
