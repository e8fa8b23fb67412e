"""Virtual-cohort biomarker report: how well a marker (an output at a named
time) separates the members for which an outcome holds — the ROC curve, its
AUC with a bootstrap 95% CI (scikit-learn's metrics), and a figure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from alveosim.sweep.cluster import require
from alveosim.sweep.runs import load_run, value_at
from alveosim.sweep.table import load_results, member_dir
from alveosim.units import parse

SKLEARN_MISSING = "the cohort report needs scikit-learn: pip install 'alveosim[analysis]'"


def marker_values(sweep_dir: str | Path, table, marker: str) -> np.ndarray:
    """``COLUMN`` (the end of each run) or ``COLUMN@TIME`` (simulated time,
    e.g. ``plasma_sev_b2_per_mL@1 d``) for each row of ``table``: from the
    results table when it holds that column, else from each member's time
    series."""
    compact = marker.replace(" ", "")
    if compact in table.columns:
        return table[compact].to_numpy(dtype=float)
    column, _, time = marker.partition("@")
    if not time:
        raise KeyError(f"the results table has no column {marker!r}")
    seconds = parse(time.strip(), "s")
    values = []
    for member in table["member"]:
        series = load_run(member_dir(sweep_dir, member))
        if column.strip() not in series.columns:
            raise KeyError(f"the time series has no column {column.strip()!r}")
        values.append(value_at(series, column.strip(), seconds))
    return np.array(values)


def bootstrap_auc(y: np.ndarray, score: np.ndarray, n_boot: int, seed: int) -> tuple[float, float]:
    """Percentile 95% CI of the AUC over ``n_boot`` resamples of the members
    (resamples holding one class only are skipped)."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    aucs = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        if y[idx].min() != y[idx].max():
            aucs.append(roc_auc_score(y[idx], score[idx]))
    lo, hi = np.percentile(aucs, [2.5, 97.5])
    return float(lo), float(hi)


def cohort_report(sweep_dir: str | Path, marker: str, outcome: str, out_dir: str | Path | None = None,
                  n_boot: int = 2000, seed: int = 0) -> dict:
    """ROC of ``marker`` for the boolean ``outcome`` (a pandas expression on
    the results table, e.g. ``"clot_volume_um3 > 100"``; quote names with
    ``@`` or dots in backticks) over the finished members. Writes
    ``cohort_roc.png``, ``roc.csv`` and ``cohort_report.json`` into
    ``SWEEP_DIR/cohort`` (or ``out_dir``) and returns the report."""
    require("sklearn", SKLEARN_MISSING)
    from sklearn.metrics import roc_auc_score, roc_curve

    sweep_dir = Path(sweep_dir)
    table = load_results(sweep_dir)
    table = table[table["status"] == "done"].reset_index(drop=True)
    try:
        y = table.eval(outcome)
    except Exception as exc:  # pandas raises many types for a bad expression
        raise ValueError(f"cannot evaluate the outcome {outcome!r}: {exc}") from None
    if getattr(y, "dtype", None) is None or y.dtype.kind != "b":
        raise ValueError(f"the outcome {outcome!r} is not true/false per member (use a comparison, e.g. 'x > 1')")
    y = y.to_numpy().astype(int)
    score = marker_values(sweep_dir, table, marker)
    keep = np.isfinite(score)
    y, score = y[keep], score[keep]
    if len(y) < 2 or y.min() == y.max():
        raise ValueError(f"the outcome {outcome!r} holds for {int(y.sum())} of {len(y)} members: a ROC needs both classes")
    fpr, tpr, thresholds = roc_curve(y, score)
    auc = float(roc_auc_score(y, score))
    ci = bootstrap_auc(y, score, n_boot, seed)
    out_dir = Path(out_dir) if out_dir is not None else sweep_dir / "cohort"
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {"marker": marker, "outcome": outcome, "members": int(len(y)), "positives": int(y.sum()),
              "auc": auc, "auc_ci95": list(ci), "bootstrap_resamples": n_boot,
              "figure": str(out_dir / "cohort_roc.png"), "roc": str(out_dir / "roc.csv")}
    import pandas as pd

    pd.DataFrame({"false_positive_rate": fpr, "true_positive_rate": tpr, "threshold": thresholds}).to_csv(out_dir / "roc.csv", index=False)
    (out_dir / "cohort_report.json").write_text(json.dumps(report, indent=1))
    _figure(fpr, tpr, y, score, report, out_dir / "cohort_roc.png")
    return report


def _figure(fpr, tpr, y, score, report, path) -> None:
    from alveosim.sweep.plots import _pyplot

    plt = _pyplot()
    fig, (roc, dist) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    lo, hi = report["auc_ci95"]
    roc.plot(fpr, tpr, "-", color="C0", label=f"AUC {report['auc']:.2f} (95% CI {lo:.2f}–{hi:.2f})")
    roc.plot([0, 1], [0, 1], ":", color="0.5", label="chance")
    roc.set_xlabel("false positive rate")
    roc.set_ylabel("true positive rate")
    roc.set_title(f"ROC of {report['marker']}")
    roc.legend(loc="lower right")
    roc.grid(alpha=0.3)
    rng = np.random.default_rng(0)
    for cls, colour in ((0, "C1"), (1, "C2")):
        values = score[y == cls]
        dist.scatter(cls + rng.uniform(-0.15, 0.15, len(values)), values, color=colour, s=14)
        dist.boxplot([values], positions=[cls], widths=0.4, showfliers=False)
    dist.set_xticks([0, 1], [f"outcome false (n={int((y == 0).sum())})", f"outcome true (n={int(y.sum())})"])
    dist.set_ylabel(report["marker"])
    dist.set_title(report["outcome"])
    fig.savefig(path, dpi=80)
    plt.close(fig)
