"""Ensembles, parameter sweeps, virtual cohorts and sensitivity analysis.

    from alveosim.sweep import run_sweep, load_results, load_run
    table = run_sweep("configs/sweeps/sweep_quickstart.yaml", workers=2)   # pandas DataFrame, one row per member
    series = load_run("runs/sweep_quickstart/members/m0000")       # a member's time series

Modules: ``spec`` (the sweep file), ``sampling`` (design points),
``members`` (one validated config per point and seed), ``cluster`` (Dask),
``execute`` (one member), ``runner`` (the whole sweep), ``table`` (the sweep
directory and its results table), ``runs`` (reading a run's time series),
``stats`` (group statistics), ``plots``, ``sensitivity``, ``cohort``.
Dask, pandas, SALib and scikit-learn are imported only when used.
"""

from alveosim.sweep.runner import run_sweep
from alveosim.sweep.runs import load_run
from alveosim.sweep.table import load_results

__all__ = ["load_results", "load_run", "run_sweep"]
