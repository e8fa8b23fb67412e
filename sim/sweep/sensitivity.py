"""Global sensitivity of a sweep's outputs to its sampled parameters (SALib):
Morris elementary effects (μ*, σ, with μ* confidence intervals) from a
``method: morris`` sample, or first-order and total Sobol indices from a
``method: sobol`` sample. Outputs are averaged over seeds at each point."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alveosim.sweep.cluster import require
from alveosim.sweep.spec import SampleSpec
from alveosim.sweep.stats import output_names
from alveosim.sweep.table import load_results, read_manifest

SALIB_MISSING = "sensitivity analysis needs SALib: pip install 'alveosim[analysis]'"


def sensitivity(sweep_dir: str | Path, outputs: list[str] | None = None, seed: int = 0):
    """A tidy DataFrame, one row per (output, parameter): ``index`` (μ* for
    Morris, total-order ST for Sobol) with ``conf`` (its 95% CI half-width),
    ``rank`` (1 = most influential) and the method's other indices (σ; S1
    and its CI)."""
    require("SALib", SALIB_MISSING)
    import pandas as pd

    from alveosim.sweep.sampling import problem, salib

    manifest = read_manifest(sweep_dir)
    if not manifest["sample"] or manifest["sample"]["method"] not in ("morris", "sobol"):
        raise ValueError(f"{sweep_dir}: sensitivity needs a sweep sampled with method: morris or sobol")
    sample = SampleSpec.model_validate(manifest["sample"])
    prob = problem(sample)
    salib_problem = salib(prob)
    table = load_results(sweep_dir)
    if (table["status"] != "done").any():
        missing = table.loc[table["status"] != "done", "member"].tolist()
        raise ValueError(f"{sweep_dir}: {len(missing)} member(s) not finished ({', '.join(missing[:5])}…): rerun the sweep")
    outputs = outputs or [c for c in output_names(table, manifest["varied"]) if "@" not in c]
    points = table.groupby("point", sort=True)
    x = points[prob["names"]].first().to_numpy(dtype=float)
    for j, key in enumerate(prob["names"]):
        if key in sample.log_keys:
            x[:, j] = np.log10(x[:, j])
    rows = []
    for name in outputs:
        if name not in table.columns:
            raise KeyError(f"the results table has no column {name!r}")
        y = points[name].mean().to_numpy(dtype=float)
        if sample.method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(salib_problem, x, y, num_levels=sample.levels, conf_level=0.95, seed=seed)
            values = {"index": res["mu_star"], "conf": res["mu_star_conf"], "sigma": res["sigma"]}
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(salib_problem, y, calc_second_order=False, conf_level=0.95, seed=seed)
            values = {"index": res["ST"], "conf": res["ST_conf"], "S1": res["S1"], "S1_conf": res["S1_conf"]}
        order = np.argsort(-np.asarray(values["index"]), kind="stable")
        ranks = np.empty(len(order), dtype=int)
        ranks[order] = np.arange(1, len(order) + 1)
        for j, key in enumerate(prob["names"]):
            rows.append({"output": name, "parameter": key, "method": sample.method, "rank": int(ranks[j]),
                         **{k: float(np.asarray(v)[j]) for k, v in values.items()}})
    return pd.DataFrame(rows).sort_values(["output", "rank"], kind="stable").reset_index(drop=True)


def plot_sensitivity(indices, out_dir: str | Path) -> list[Path]:
    """One bar chart per output (``sensitivity_<output>.png``): each
    parameter's index with its 95% CI."""
    from alveosim.sweep.plots import _pyplot

    plt = _pyplot()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in indices.groupby("output", sort=False):
        method = rows["method"].iloc[0]
        fig, ax = plt.subplots(figsize=(6.0, 0.5 + 0.45 * len(rows)), constrained_layout=True)
        ax.barh(rows["parameter"][::-1], rows["index"][::-1], xerr=rows["conf"][::-1], color="C0", capsize=3)
        ax.set_xlabel("Morris μ* (units of the output)" if method == "morris" else "total-order Sobol index ST")
        ax.set_title(f"sensitivity of {name} (95% CI)")
        ax.grid(axis="x", alpha=0.3)
        path = out_dir / f"sensitivity_{name}.png"
        fig.savefig(path, dpi=80)
        plt.close(fig)
        paths.append(path)
    return paths
