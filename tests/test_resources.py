"""The memory budget: the estimate against the measured peak of a run, the
refusal of a run that would not fit (before its directory exists), the
estimate in ``validate``'s output, and cell lists sized by agents."""

import tracemalloc

import numpy as np
import pytest
import yaml

from alveosim import labels as L
from alveosim import resources
from alveosim.backend import select_backend
from alveosim.cli import main
from alveosim.config import load_config
from alveosim.lattice.config import LatticeConfig
from alveosim.lattice.generate import generate
from alveosim.neighbours import cell_dims
from alveosim.simulation import Simulation

SHORT = ["phases.0.duration=3 h", "phases.1.duration=20 ms", "backend=cpu"]


def test_estimate_within_20_percent_of_the_measured_peak():
    """pancreatic at its shipped size: set-up, both phases, then an occlusion
    large enough to rebuild the multigrid hierarchy (the largest transient)."""
    Simulation(load_config("configs/pancreatic.yaml", SHORT + ["domain.size=[20 um, 20 um, 20 um]"])).run(progress=False)
    cfg = load_config("configs/pancreatic.yaml", SHORT)
    budget = resources.estimate(cfg)
    tracemalloc.start()
    try:
        sim = Simulation(cfg)
        sim.run(progress=False)
        block = np.zeros(cfg.domain.shape, dtype=bool)
        block[20:40, :, :10] = True
        sim.flow.occlude(sim.state, block)
        solution = sim.flow.solve(sim.state)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert solution.setup_seconds > 0 and solution.conducting > 0  # rebuilt, still flowing
    assert budget.total == pytest.approx(peak, rel=0.2)


def test_run_that_would_not_fit_is_refused_before_its_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(resources, "available_memory", lambda backend: (1 << 20, "available RAM"))
    out = tmp_path / "run"
    assert main(["run", "configs/pancreatic.yaml", "--backend", "cpu", "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert not out.exists() and not any(tmp_path.iterdir())
    assert len(err.splitlines()) == 1
    assert "not enough memory" in err and "1.0 MiB available RAM" in err and "108,000 voxels" in err


def test_validate_prints_the_estimate_as_yaml_comments(capsys):
    assert main(["validate", "configs/pancreatic.yaml", "--backend", "cpu"]) == 0
    text = capsys.readouterr().out
    assert "# memory estimate (peak):" in text and "#   total: " in text
    assert yaml.safe_load(text)["name"] == "pancreatic"


def test_lattice_fractions_match_a_generated_lattice():
    cpu = select_backend("cpu")
    cfg = LatticeConfig.model_validate({})
    labels = generate(cpu, (64, 64, 64), 2.5, cfg, seed=5).labels
    blood, septum, air = resources.lattice_fractions(cfg)
    assert blood == pytest.approx(np.isin(labels, L.BLOOD).mean(), rel=0.1)
    assert septum == pytest.approx((labels == L.SEPTUM).mean(), rel=0.1)
    assert air == pytest.approx((labels == L.AIR).mean(), rel=0.1)


def test_cell_lists_follow_agents_not_volume():
    small = cell_dims([150.0, 150.0, 75.0], 2.5, 1000)
    assert small.tolist() == [60, 60, 30]  # a shipped box keeps its cutoff-sized cells
    big = cell_dims([1000.0, 1000.0, 1000.0], 2.5, 200_000)
    assert int(np.prod(big)) <= 8 * 200_000 and np.all(1000.0 / big >= 2.5)
