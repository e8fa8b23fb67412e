"""Sweep analysis: Morris sensitivity finds the parameter the model makes
dominant, the cohort report's ROC/AUC, group statistics and the plots."""

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")
pytest.importorskip("SALib")
pytest.importorskip("sklearn")

from alveosim.sweep import run_sweep  # noqa: E402
from alveosim.sweep.cohort import cohort_report  # noqa: E402
from alveosim.sweep.sensitivity import plot_sensitivity, sensitivity  # noqa: E402
from alveosim.sweep.stats import group_stats  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# Morris sample over the primary tumour's CXCL13 secretion (which sets plasma
# CXCL13 and through it IM reprogramming), the sEV shedding rate and the
# platelet count (which do not act on reprogramming); 2 days of tissue only.
MORRIS = """\
name: morris
base: {base}
set:
  backend: cpu
  domain.size: [60 um, 40 um, 20 um]
  phases: [{{name: conditioning, clock: tissue, duration: 2 d, dt: 2 h}}]
  output.timeseries_every: 3
  output.checkpoint_every: null
  output.snapshot_every: null
  output.progress: false
sample:
  method: morris
  n: 4
  seed: 3
  ranges:
    primary_tumour.cxcl13_secretion: [0.005 pM/s, 0.2 pM/s]
    macrophages.shedding_rate: [1 /s, 4 /s]
    blood.platelets.density: [5e5 /uL, 1.5e6 /uL]
seeds: 1
outputs:
  columns: [plasma_cxcl13_pM, im_reprogrammed_fraction, plasma_sev_b2_per_mL]
  times: [12 h]
"""


@pytest.fixture(scope="module")
def morris_sweep(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("morris")
    path = tmp / "morris.yaml"
    path.write_text(MORRIS.format(base=ROOT / "configs" / "quickstart.yaml"))
    table = run_sweep(path, out=tmp / "sweep", workers=2, progress=False)
    assert len(table) == 16 and (table["status"] == "done").all(), table[["member", "status", "error"]]
    return tmp / "sweep"


@pytest.mark.slow
def test_morris_ranks_cxcl13_secretion_first_for_reprogramming(morris_sweep):
    indices = sensitivity(morris_sweep)
    reprogramming = indices[indices["output"] == "im_reprogrammed_fraction"].set_index("parameter")
    assert reprogramming.loc["primary_tumour.cxcl13_secretion", "rank"] == 1
    top = reprogramming.loc["primary_tumour.cxcl13_secretion"]
    assert top["index"] - top["conf"] > 0  # its effect is resolved from zero
    # shedding and platelets never act on reprogramming: the same draws, no effect at all
    assert reprogramming.loc["macrophages.shedding_rate", "index"] == 0.0
    assert reprogramming.loc["blood.platelets.density", "index"] == 0.0
    plasma = indices[indices["output"] == "plasma_cxcl13_pM"].set_index("parameter")
    assert plasma.loc["primary_tumour.cxcl13_secretion", "rank"] == 1
    figures = plot_sensitivity(indices, morris_sweep / "sensitivity")
    assert len(figures) == 3 and all(p.stat().st_size > 1000 for p in figures)


@pytest.mark.slow
def test_cohort_report_of_plasma_cxcl13_for_reprogramming(morris_sweep):
    report = cohort_report(morris_sweep, "plasma_cxcl13_pM@12 h", "im_reprogrammed_fraction > 0.2", n_boot=500)
    assert 0 < report["positives"] < report["members"] == 16
    lo, hi = report["auc_ci95"]
    assert report["auc"] > 0.75 and lo <= report["auc"] <= hi
    assert Path(report["figure"]).stat().st_size > 1000
    saved = json.loads((morris_sweep / "cohort" / "cohort_report.json").read_text())
    assert saved["auc"] == report["auc"]


def synthetic_sweep(tmp_path: Path, marker: np.ndarray, outcome: np.ndarray) -> Path:
    """A sweep directory holding only a results table."""
    import pandas as pd

    sweep = tmp_path / "cohort"
    sweep.mkdir(parents=True)
    n = len(marker)
    pd.DataFrame({"member": [f"m{i:04d}" for i in range(n)], "point": range(n), "seed": 1, "status": "done",
                  "error": "", "wall_s": 1.0, "marker": marker, "response": outcome}).to_parquet(sweep / "results.parquet")
    return sweep


def test_cohort_auc_is_one_for_a_separating_marker_and_chance_for_noise(tmp_path):
    rng = np.random.default_rng(1)
    outcome = np.r_[np.zeros(30), np.ones(30)]
    sep = synthetic_sweep(tmp_path / "a", outcome * 10 + rng.random(60), outcome)
    report = cohort_report(sep, "marker", "response > 0.5", n_boot=300)
    assert report["auc"] == 1.0 and report["auc_ci95"] == pytest.approx([1.0, 1.0])
    noise = synthetic_sweep(tmp_path / "b", rng.random(60), outcome)
    report = cohort_report(noise, "marker", "response > 0.5", n_boot=300)
    lo, hi = report["auc_ci95"]
    assert lo < 0.5 < hi and hi - lo < 0.4
    with pytest.raises(ValueError, match="both classes"):
        cohort_report(noise, "marker", "response > 5")
    with pytest.raises(ValueError, match="true/false"):
        cohort_report(noise, "marker", "response * 2")


def test_group_stats_ci_matches_student_t():
    import pandas as pd

    table = pd.DataFrame({"member": list("abcdef"), "point": [0, 0, 0, 1, 1, 1], "seed": [1, 2, 3] * 2,
                          "status": "done", "error": "", "wall_s": 1.0, "dose": [1.0] * 3 + [2.0] * 3,
                          "y": [1.0, 2.0, 3.0, 10.0, 10.0, 13.0]})
    stats = group_stats(table, ["dose"])
    assert stats["output"].tolist() == ["y", "y"]
    first = stats.iloc[0]
    assert first["mean"] == 2.0 and first["sd"] == 1.0 and first["n"] == 3
    half = 4.302652729911275 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert first["ci_low"] == pytest.approx(2.0 - half) and first["ci_high"] == pytest.approx(2.0 + half)


def test_sobol_indices_of_an_additive_output_match_the_analytic_values(tmp_path):
    """y = 4 a + b with a, b uniform on [0, 1]: S1 = ST = 16/17 and 1/17."""
    import pandas as pd

    from alveosim.sweep.sampling import sample_matrix
    from alveosim.sweep.spec import SampleSpec

    sample = SampleSpec(method="sobol", n=512, seed=2, ranges={"primary_tumour.cxcl13_secretion": ["0 pM/s", "1 pM/s"],
                                                               "macrophages.shedding_rate": ["0 /s", "1 /s"]})
    x = sample_matrix(sample)
    assert x.shape == (512 * 4, 2)
    sweep = tmp_path / "sobol"
    sweep.mkdir()
    (sweep / "sweep.json").write_text(json.dumps({"sample": sample.model_dump(), "varied": list(sample.ranges)}))
    n = len(x)
    pd.DataFrame({"member": [f"m{i:04d}" for i in range(n)], "point": range(n), "seed": 1, "status": "done", "error": "",
                  "wall_s": 1.0, "primary_tumour.cxcl13_secretion": x[:, 0], "macrophages.shedding_rate": x[:, 1],
                  "y": 4 * x[:, 0] + x[:, 1]}).to_parquet(sweep / "results.parquet")
    indices = sensitivity(sweep).set_index("parameter")
    a, b = indices.loc["primary_tumour.cxcl13_secretion"], indices.loc["macrophages.shedding_rate"]
    assert a["rank"] == 1 and b["rank"] == 2
    assert a["index"] == pytest.approx(16 / 17, abs=0.05) and a["S1"] == pytest.approx(16 / 17, abs=0.05)
    assert b["index"] == pytest.approx(1 / 17, abs=0.02)
    assert a["conf"] < 0.2
