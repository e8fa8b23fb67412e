"""The lung-lattice generator and its report."""

import numpy as np
import pytest

from alveosim import labels as L
from alveosim.backend import select_backend
from alveosim.lattice.config import LatticeConfig
from alveosim.lattice.generate import generate
from alveosim.lattice.report import geometry_report


def tiny_config(**overrides):
    """A lattice of small alveoli so a 14^3 CUDA-simulator grid holds several."""
    data = {"alveolar_diameter": "20 um", "septal_thickness": "6 um", "capillary_thickness": "3 um",
            "post_spacing": "6 um", "post_radius": "1 um", **overrides}
    return LatticeConfig.model_validate(data)


def test_default_mouse_lattice_meets_stereology_targets():
    """Mouse preset on a 240 um cube: mean alveolar diameter within 15 % of the
    target, capillary lumen 35-55 % of septal volume, >= 95 % of capillary
    voxels joined inlet to outlet."""
    cpu = select_backend("cpu")
    cfg = LatticeConfig.model_validate({"species": "mouse"})
    lattice = generate(cpu, (96, 96, 96), 2.5, cfg, seed=3)
    rep = geometry_report(cpu, lattice, 2.5)
    assert rep["alveoli_measured"] >= 10
    assert abs(rep["alveolar_diameter_mean_um"] - cfg.alveolar_diameter) <= 0.15 * cfg.alveolar_diameter
    assert 0 < rep["alveolar_diameter_sd_um"] < 0.5 * rep["alveolar_diameter_mean_um"]
    assert 0.35 <= rep["capillary_share_of_septum"] <= 0.55
    assert rep["capillary_connected_fraction"] >= 0.95
    assert rep["inlet_voxels"] > 0 and rep["outlet_voxels"] > 0


def test_labels_follow_the_geometry_rules():
    """Every label is one of sim.labels; inlets only on the x = 0 face and
    outlets only on the far face; every voxel is owned by a seed."""
    cpu = select_backend("cpu")
    lattice = generate(cpu, (40, 32, 24), 2.5, LatticeConfig.model_validate({}), seed=5)
    labels = lattice.labels
    assert labels.dtype == np.uint8 and labels.shape == (40, 32, 24)
    assert set(np.unique(labels)) <= set(L.NAMES)
    inlet_x = np.nonzero(labels == L.INLET)[0]
    outlet_x = np.nonzero(labels == L.OUTLET)[0]
    assert inlet_x.size and np.all(inlet_x == 0)
    assert outlet_x.size and np.all(outlet_x == 39)
    assert lattice.owner.min() >= 0 and lattice.owner.max() < lattice.seeds.shape[0]


def test_flow_axis_moves_inlets():
    cpu = select_backend("cpu")
    cfg = LatticeConfig.model_validate({"flow": {"axis": "z"}})
    labels = generate(cpu, (24, 24, 32), 2.5, cfg, seed=5).labels
    assert np.all(np.nonzero(labels == L.INLET)[2] == 0)
    assert np.all(np.nonzero(labels == L.OUTLET)[2] == 31)


def test_same_seed_same_lattice_on_cpu_and_cuda_simulator(cpu, cuda):
    cfg = tiny_config()
    a = generate(cpu, (14, 14, 14), 2.5, cfg, seed=11)
    b = generate(cuda, (14, 14, 14), 2.5, cfg, seed=11)
    assert np.array_equal(cpu.to_host(a.seeds), cuda.to_host(b.seeds))
    assert np.array_equal(cpu.to_host(a.labels), cuda.to_host(b.labels))
    assert np.array_equal(cpu.to_host(a.owner), cuda.to_host(b.owner))
    present = set(np.unique(cpu.to_host(a.labels)))
    assert {L.AIR, L.SEPTUM, L.CAPILLARY} <= present


def test_seed_changes_the_lattice_and_repeats_it():
    cpu = select_backend("cpu")
    cfg = tiny_config()
    a = generate(cpu, (24, 24, 24), 2.5, cfg, seed=1).labels
    b = generate(cpu, (24, 24, 24), 2.5, cfg, seed=1).labels
    c = generate(cpu, (24, 24, 24), 2.5, cfg, seed=2).labels
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_human_preset_has_larger_alveoli():
    cpu = select_backend("cpu")
    mouse = LatticeConfig.model_validate({"species": "mouse"})
    human = LatticeConfig.model_validate({"species": "human"})
    assert human.alveolar_diameter > 3 * mouse.alveolar_diameter
    air = lambda cfg: (generate(cpu, (48, 48, 48), 2.5, cfg, seed=1).labels == L.AIR).mean()  # noqa: E731
    assert air(human) > air(mouse)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"capillary_thickness": "12 um"}, "less than septal_thickness"),
        ({"post_radius": "6 um"}, "overlap"),
        ({"alveolar_diameter": "5 kg"}, "expected units"),
        ({"flow": {"mean_speed": "1 mm"}}, "expected units"),
        ({"species": "rat"}, "mouse"),
        ({"wall": "1 um"}, "Extra inputs"),
    ],
)
def test_config_errors_name_the_problem(bad, message):
    with pytest.raises(ValueError, match=message):
        LatticeConfig.model_validate(bad)


def test_preset_values_can_be_overridden_one_by_one():
    cfg = LatticeConfig.model_validate({"species": "human", "septal_thickness": "8 um", "flow": {"mean_speed": "0.5 mm/s"}})
    assert cfg.septal_thickness == pytest.approx(8.0)
    assert cfg.alveolar_diameter == pytest.approx(200.0)
    assert cfg.flow.mean_speed == pytest.approx(500.0)
    assert cfg.flow.viscosity == pytest.approx(3.5e-3)


def test_lattice_command_prints_physiological_flow(capsys):
    """`alveosim lattice configs/lattice_mouse.yaml` prints mean speed and
    transit time, in 0.5-2 mm/s and 0.3-3 s."""
    from alveosim.cli import main

    assert main(["lattice", "configs/lattice_mouse.yaml", "--backend", "cpu"]) == 0
    out = capsys.readouterr().out
    speed = float(out.split("mean blood speed")[1].split("mm/s")[0].strip(" │|"))
    transit = float(out.split("transit time (acinar path)")[1].split(" s ")[0].strip(" │|"))
    assert 0.5 <= speed <= 2.0
    assert 0.3 <= transit <= 3.0
    assert "capillary share of septum" in out


def test_feature_puts_lattice_and_flow_into_the_state():
    """A run with a ``lattice:`` section holds labels, occluded, pressure and
    velocity in state.arrays with the contract's dtypes and shapes, binds
    sim.flow and logs the flow values."""
    from alveosim.config import load_config
    from alveosim.simulation import Simulation

    cfg = load_config("configs/lattice_mouse.yaml", ["domain.size=[60 um, 40 um, 40 um]", "output.progress=false"])
    sim = Simulation(cfg, backend="cpu")
    arrays = sim.state.arrays
    shape = cfg.domain.shape
    assert arrays["labels"].dtype == np.uint8 and arrays["labels"].shape == shape
    assert arrays["occluded"].dtype == np.uint8 and not arrays["occluded"].any()
    assert arrays["pressure"].dtype == np.float32 and arrays["pressure"].shape == shape
    assert arrays["velocity"].dtype == np.float32 and arrays["velocity"].shape == shape + (3,)
    assert sim.state.values["flow_mean_speed_um_s"] == pytest.approx(1000.0, rel=1e-6)
    result = sim.run(progress=False)
    assert result.last_row["flow_mean_speed_um_s"] == pytest.approx(1000.0, rel=1e-6)
    assert result.last_row["flow_transit_time_s"] > 0
    assert callable(sim.flow.occlude) and callable(sim.flow.solve)
