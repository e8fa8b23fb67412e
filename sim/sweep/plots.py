"""Figures of a sweep directory (matplotlib): dose–response of each output
against each numeric varied key (mean with its 95% CI band across seeds, one
line per value of the other grid keys; sampled keys as scatter), and time
courses per design point (mean with a ±SD band across seeds), one figure per
phase."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alveosim.sweep.runs import load_run
from alveosim.sweep.stats import group_stats, output_names
from alveosim.sweep.table import load_results, member_dir, read_manifest

MAX_CURVES = 8  # design points drawn in a time-course figure


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'alveosim[render]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _grid_axes(plt, n: int, width: float = 5.0, height: float = 3.2):
    ncols = min(n, 2)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, constrained_layout=True)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()[:n]


def _label(key: str, units: dict) -> str:
    return f"{key} ({units[key]})" if units.get(key) else key


def plot_sweep(sweep_dir: str | Path, out_dir: str | Path | None = None) -> dict[Path, list[str]]:
    """Write the sweep's figures into ``SWEEP_DIR/plots`` (or ``out_dir``);
    returns figure → panel titles."""
    plt = _pyplot()
    sweep_dir = Path(sweep_dir)
    manifest = read_manifest(sweep_dir)
    table = load_results(sweep_dir)
    done = table[table["status"] == "done"]
    if done.empty:
        raise ValueError(f"{sweep_dir}: no finished members to plot")
    out_dir = Path(out_dir) if out_dir is not None else sweep_dir / "plots"
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = [c for c in output_names(table, manifest["varied"]) if "@" not in c]
    figures = {}
    for key in manifest["varied"]:
        if done[key].dtype.kind not in "fiu":
            continue
        path = out_dir / f"dose_response_{key}.png"
        figures[path] = _dose_response(plt, done, manifest, key, outputs, path)
    figures.update(_time_courses(plt, sweep_dir, manifest, done, outputs, out_dir))
    return figures


def _dose_response(plt, done, manifest, key, outputs, path) -> list[str]:
    units, grid = manifest["units"], manifest["grid"]
    others = [k for k in grid if k != key]
    stats = group_stats(done, manifest["varied"], outputs)
    fig, axes = _grid_axes(plt, len(outputs))
    for ax, name in zip(axes, outputs):
        ax.scatter(done[key], done[name], s=10, color="0.5", alpha=0.6, label="members")
        if key in grid:
            rows = stats[stats["output"] == name]
            groups = rows.groupby(others, sort=True) if others else [((), rows)]
            for c, (other, g) in enumerate(groups):
                g = g.groupby(key, sort=True)[["mean", "ci_low", "ci_high"]].mean()
                x = g.index.to_numpy(dtype=float)
                other = other if isinstance(other, tuple) else (other,)
                label = ", ".join(f"{k}={v:g}" for k, v in zip(others, other)) or "mean"
                ax.plot(x, g["mean"], "o-", color=f"C{c}", label=label)
                ax.fill_between(x, g["ci_low"], g["ci_high"], color=f"C{c}", alpha=0.2)
        ax.set_xlabel(_label(key, units))
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"{manifest['name']}: outputs against {key} (band: 95% CI of the mean across seeds)")
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return outputs


def sweep_groups(sweep_dir: str | Path, done=None, manifest=None, prefix: str = "") -> list[tuple[str, list]]:
    """``(label, [time series of each seed])`` per design point of a sweep
    (the first :data:`MAX_CURVES`), labelled by its varied values."""
    manifest = manifest or read_manifest(sweep_dir)
    if done is None:
        table = load_results(sweep_dir)
        done = table[table["status"] == "done"]
    groups = []
    for p in sorted(done["point"].unique())[:MAX_CURVES]:
        rows = done[done["point"] == p]
        first = rows.iloc[0]
        label = ", ".join(f"{k}={first[k]:g}" if isinstance(first[k], (int, float)) else f"{k}={first[k]}"
                          for k in manifest["varied"]) or "all members"
        groups.append((prefix + label, [load_run(member_dir(sweep_dir, m)) for m in rows["member"]]))
    return groups


def _time_courses(plt, sweep_dir, manifest, done, outputs, out_dir) -> dict[Path, list[str]]:
    groups = sweep_groups(sweep_dir, done, manifest)
    return plot_groups(plt, groups, outputs, out_dir, "timecourse", manifest["name"])


def plot_groups(plt, groups, outputs, out_dir, stem: str, title: str) -> dict[Path, list[str]]:
    """One figure per phase (``<stem>_<phase>.png``), one panel per output,
    one curve per group: the mean across its runs with a ±SD band."""
    from alveosim.plot import _time_unit

    phases = list(dict.fromkeys(p for _, runs in groups for s in runs for p in s["phase"]))
    figures = {}
    for phase in phases:
        path = out_dir / f"{stem}_{phase}.png"
        fig, axes = _grid_axes(plt, len(outputs))
        for ax, name in zip(axes, outputs):
            for c, (label, group) in enumerate(groups):
                runs = [s[s["phase"] == phase] for s in group if name in s.columns]
                length = min((len(r) for r in runs), default=0)
                if length == 0:
                    continue
                t = runs[0]["time_s"].to_numpy()[:length]
                scale, unit = _time_unit(t[-1] - t[0])
                y = np.array([r[name].to_numpy(dtype=float)[:length] for r in runs])
                mean, sd = y.mean(axis=0), (y.std(axis=0, ddof=1) if len(y) > 1 else np.zeros(length))
                x = (t - t[0]) / scale
                ax.plot(x, mean, color=f"C{c % 10}", label=f"{label} (n={len(y)})")
                ax.fill_between(x, mean - sd, mean + sd, color=f"C{c % 10}", alpha=0.2)
                ax.set_xlabel(f"time in phase ({unit})")
            ax.set_title(name)
            ax.grid(alpha=0.3)
        axes[0].legend(fontsize=7)
        fig.suptitle(f"{title} — {phase} (mean ± SD across seeds)")
        fig.savefig(path, dpi=80)
        plt.close(fig)
        figures[path] = outputs
    return figures


def plot_compare_groups(dirs: list[str | Path], out_dir: str | Path) -> dict[Path, list[str]]:
    """Overlay the design-point groups of sweep directories (and single run
    directories) in ``compare_<phase>.png``: each group's mean with a ±SD
    band. The panels are the sweeps' outputs (the headline columns for runs)."""
    from alveosim.sweep.runs import output_columns
    from alveosim.sweep.table import is_sweep_dir

    plt = _pyplot()
    groups, outputs = [], []
    for d in dirs:
        if is_sweep_dir(d):
            manifest = read_manifest(d)
            table = load_results(d)
            outputs += [c for c in output_names(table, manifest["varied"]) if "@" not in c]
            groups += sweep_groups(d, manifest=manifest, prefix=f"{manifest['name']}: ")
        else:
            series = load_run(d)
            outputs += output_columns(series, None)
            groups.append((Path(d).name, [series]))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = list(dict.fromkeys(outputs))
    return plot_groups(plt, groups, outputs, out_dir, "compare", " vs ".join(Path(d).name for d in dirs))
