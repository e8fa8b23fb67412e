"""The summary table printed at the end of a run."""

from __future__ import annotations

from rich.table import Table

from sim.format import format_seconds


def summary_table(sim, result) -> Table:
    """A two-column table: run facts, then the last time-series row."""
    st = sim.state
    table = Table(title=f"alveosim run: {sim.config.name}", show_header=False)
    table.add_row("backend", sim.backend.description)
    table.add_row("simulated time", format_seconds(st.time) + (" (interrupted)" if result.interrupted else ""))
    table.add_row("steps", f"{st.step:,}")
    table.add_row("wall time", f"{result.wall_s:,.2f} s ({result.steps / max(result.wall_s, 1e-9):,.1f} steps/s)")
    if sim.run_dir is not None:
        table.add_row("run directory", str(sim.run_dir))
    for key, value in result.last_row.items():
        if key in ("step", "time_s"):
            continue
        table.add_row(key, f"{value:,.6g}" if isinstance(value, float) else str(value))
    return table
