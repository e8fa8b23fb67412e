"""Validation of the early-NSCLC resident-macrophage niche and of lung
metastases that secrete CXCL13 (Casanova-Acebes et al., Nature
2021; Lucotti et al., Cell 2025). Runs each scenario for several seeds and
checks, with margins beyond the seed-to-seed spread where the claim is a
difference, that

- TRMs are close to tumour cells early: on day 3 the mean TRM–nearest tumour
  cell distance is under half of what it is when TRMs do not chemotax;
- and farther, at the rim, after ~day 15: the mean tumour cell–nearest TRM
  distance on day 20 is at least twice its day-3 value, and most lesion TRMs
  are at the rim on days 15–20;
- TRM depletion before seeding lowers the tumour area on day 20 (and its
  mean on day 30) but not the number of foci (averaged over days 15-30,
  within one focus or 25%);
- TRM depletion on day 12 changes neither much (area on day 30 within 25%,
  foci as above);
- fewer tumour cells are EMT on day 5 without TRMs;
- MDMs outnumber TRMs in lesions by day 30;
- lung metastases raise the local CXCL13 (mean septal CXCL13 higher in
  every seed, and more IMs reprogrammed) and the clot burden of the breast
  scenario.

The niche scenarios run at full size (30 days of a 250 × 250 × 125 µm
piece of lung take ~35 s on two cores; a smaller piece holds too few foci
and TRMs for the comparisons); ``--reduced`` shrinks the breast scenarios
as benchmarks/validate_scenarios.py does (what tests/test_validation.py runs
in CI). Writes ``benchmarks/results/validate_niche[_reduced].json`` and
``.md``.

    python -m alveosim.benchmarks.validate_niche [--reduced] [--seeds 3]
"""

from __future__ import annotations

from pathlib import Path

from alveosim.benchmarks.validate_scenarios import above, checks_table, cli, run_one, summarise, table
from alveosim.backend import select_backend
from alveosim.config import load_config
from alveosim.simulation import Simulation

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
DAY = 86400.0

# name -> (config file, --set overrides)
NICHE: dict[str, tuple[str, list[str]]] = {
    "niche": ("nsclc_niche", []),
    "no_chemotaxis": ("nsclc_niche", ["alveolar_macrophages.chemotactic_speed=0 um/min"]),
    "depleted_before": ("nsclc_trm_depleted_before", []),
    "depleted_day12": ("nsclc_trm_depleted_day12", []),
}
BREAST = {"breast": "breast", "breast_lung_mets": "breast_lung_mets"}

SAMPLE_DAYS = (3, 5, 15, 20, 30)
FOCI_DAYS = (15, 20, 30)  # foci are compared averaged over these days
METRICS = (
    "tumour_cells", "tumour_area_um2", "tumour_foci", "tumour_emt_fraction", "trm_tumour_distance_um",
    "tumour_trm_distance_um", "trm_rim_fraction", "lesion_trm", "lesion_mdm",
)


def run_niche(config: str, overrides: list[str], seed: int, backend: str = "cpu") -> dict:
    """Run one niche scenario; return METRICS on each of SAMPLE_DAYS as
    ``<metric>_d<day>`` (the row logged at the end of that day)."""
    sets = overrides + [f"seed={seed}", "output.progress=false", "output.checkpoint_every=null"]
    cfg = load_config(CONFIGS / f"{config}.yaml", overrides=sets)
    sim = Simulation(cfg, backend=select_backend(backend))
    sim.run(progress=False)
    by_day = {round(r["time_s"] / DAY): r for r in sim.timeseries.rows if abs(r["time_s"] / DAY - round(r["time_s"] / DAY)) < 1e-6}
    missing = [d for d in SAMPLE_DAYS if d not in by_day]
    if missing:
        raise ValueError(f"{config}: no time-series row at the end of days {missing}; log at least daily")
    return {f"{m}_d{d}": float(by_day[d].get(m, 0.0)) for d in SAMPLE_DAYS for m in METRICS}


# Claims computed and reported but not required, each with why it may not
# hold in the current model (the results table marks them "open").
OPEN = {
    "lung metastases raise the clot burden": "plasma sEV-b2 comes from the organ IM compartment, which CXCL13 secreted by"
    " lung metastases into the box does not reach; the metastases act only through the box's own IMs",
}


def mean(s: dict, key: str) -> float:
    return s[key]["mean"]


def checks(s: dict) -> dict[str, bool]:
    """The niche model's expected outcomes, each True when it holds (with a margin)."""
    niche, before, day12 = s["niche"], s["depleted_before"], s["depleted_day12"]

    def foci_same(a: dict, b: dict) -> bool:
        """Foci counts (averaged over days 15, 20 and 30, as lesions merge and
        split) within one focus or 25%."""
        fa, fb = (sum(mean(x, f"tumour_foci_d{d}") for d in FOCI_DAYS) / len(FOCI_DAYS) for x in (a, b))
        return abs(fa - fb) <= max(1.0, 0.25 * fb)

    return {
        "TRMs close to tumour cells on day 3 (< half the distance without chemotaxis)": mean(niche, "trm_tumour_distance_um_d3")
        < 0.5 * mean(s["no_chemotaxis"], "trm_tumour_distance_um_d3"),
        "TRMs farther after day 15 (tumour-TRM distance day 20 >= 2x day 3)": mean(niche, "tumour_trm_distance_um_d20")
        >= 2.0 * mean(niche, "tumour_trm_distance_um_d3"),
        "lesion TRMs mostly at the rim on days 15-20": min(mean(niche, "trm_rim_fraction_d15"), mean(niche, "trm_rim_fraction_d20")) > 0.6,
        "depletion before seeding lowers tumour area (day 20; mean on day 30)": above(niche, before, "tumour_area_um2_d20")
        and mean(before, "tumour_area_um2_d30") < mean(niche, "tumour_area_um2_d30"),
        "depletion before seeding keeps the number of foci": foci_same(before, niche),
        "depletion on day 12 changes area little (within 25%)": abs(mean(day12, "tumour_area_um2_d30") / mean(niche, "tumour_area_um2_d30") - 1.0) <= 0.25,
        "depletion on day 12 keeps the number of foci": foci_same(day12, niche),
        "fewer EMT tumour cells without TRMs on day 5": above(niche, before, "tumour_emt_fraction_d5"),
        "MDMs outnumber TRMs in lesions by day 30": mean(niche, "lesion_mdm_d30") > mean(niche, "lesion_trm_d30"),
        "lung metastases raise local CXCL13 (septal mean in every seed; IM reprogramming)": min(s["breast_lung_mets"]["cxcl13_septum_pM"]["values"])
        > max(s["breast"]["cxcl13_septum_pM"]["values"])
        and above(s["breast_lung_mets"], s["breast"], "im_reprogrammed_fraction"),
        "lung metastases raise the clot burden": above(s["breast_lung_mets"], s["breast"]),
    }


def validate(seeds: int = 3, reduced: bool = False, backend: str = "cpu") -> tuple[dict, dict]:
    """Run every scenario for ``seeds`` seeds; return (summaries, checks)."""
    summaries = {}
    for name, (config, overrides) in NICHE.items():
        summaries[name] = summarise([run_niche(config, overrides, seed, backend) for seed in range(1, seeds + 1)])
    for name, config in BREAST.items():
        summaries[name] = summarise([run_one(config, [], seed, reduced, backend) for seed in range(1, seeds + 1)])
    return summaries, checks(summaries)


def markdown(summaries: dict, result: dict, seeds: int, reduced: bool) -> str:
    cols = ("tumour_area_um2_d20", "tumour_area_um2_d30", "tumour_foci_d30", "tumour_emt_fraction_d5", "trm_tumour_distance_um_d3",
            "tumour_trm_distance_um_d3", "tumour_trm_distance_um_d20", "trm_rim_fraction_d20", "lesion_trm_d30", "lesion_mdm_d30")
    bcols = ("cxcl13_septum_pM", "im_reprogrammed_fraction", "clot_volume_um3")
    lines = [f"NSCLC niche ({'reduced size' if reduced else 'full size'}, {seeds} seeds, mean ± sd; _dN = end of day N):", ""]
    lines += table(summaries, NICHE, cols, "scenario") + [""] + table(summaries, BREAST, bcols, "breast scenario")
    lines += [""] + checks_table(result, OPEN)
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    return cli(argv, __doc__.split("\n\n")[0], validate, markdown, "validate_niche", "smaller breast scenarios (CI)", OPEN)


if __name__ == "__main__":
    raise SystemExit(main())
