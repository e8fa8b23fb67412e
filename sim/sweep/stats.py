"""Statistics across seeds: per group of equal varied values, each output's
count, mean, SD and 95% confidence interval of the mean (Student t)."""

from __future__ import annotations

import numpy as np

FIXED_COLUMNS = ("member", "point", "seed", "status", "error", "wall_s")


def output_names(table, varied: list[str]) -> list[str]:
    """Output columns of a results table (neither bookkeeping nor varied)."""
    return [c for c in table.columns if c not in FIXED_COLUMNS and c not in varied]


def group_stats(table, varied: list[str], outputs: list[str] | None = None):
    """A tidy DataFrame: the varied keys (or ``point`` when nothing varies but
    the seed), ``output``, ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``,
    over the finished members of each design point."""
    import pandas as pd
    from scipy.stats import t

    done = table[table["status"] == "done"]
    outputs = outputs or output_names(table, varied)
    by = ["point"] + list(varied)
    rows = []
    for key, group in done.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for name in outputs:
            values = group[name].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            n = len(values)
            mean = values.mean() if n else np.nan
            sd = values.std(ddof=1) if n > 1 else np.nan
            half = t.ppf(0.975, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
            rows.append({**dict(zip(by, key)), "output": name, "n": n, "mean": mean, "sd": sd,
                         "ci_low": mean - half, "ci_high": mean + half})
    return pd.DataFrame(rows, columns=by + ["output", "n", "mean", "sd", "ci_low", "ci_high"])


def stats_table(stats, max_rows: int = 40):
    """A rich table of :func:`group_stats` (the first ``max_rows`` rows):
    the group's values, the output, n, mean ± SD and the 95% CI."""
    from rich.table import Table

    keys = [c for c in stats.columns if c not in ("point", "output", "n", "mean", "sd", "ci_low", "ci_high")]
    table = Table(title="across seeds: mean ± SD, 95% CI of the mean")
    for column in keys + ["output", "n", "mean ± SD", "95% CI"]:
        table.add_column(column, overflow="fold")
    for _, row in stats.head(max_rows).iterrows():
        values = [f"{row[k]:.4g}" if isinstance(row[k], float) else str(row[k]) for k in keys]
        table.add_row(*values, row["output"], str(row["n"]), f"{row['mean']:.4g} ± {row['sd']:.2g}",
                      f"[{row['ci_low']:.4g}, {row['ci_high']:.4g}]")
    if len(stats) > max_rows:
        table.caption = f"first {max_rows} of {len(stats)} rows (all in stats.csv)"
    return table
