"""The summary table printed at the end of a run: run facts, wall time with
set-up and per phase, then the headline biology numbers (the whole last
time-series row with ``verbose``)."""

from __future__ import annotations

from rich.table import Table

from alveosim.format import format_seconds
from alveosim.report import RUN_RECORD, format_value, headline


def summary_table(sim, result, verbose: bool = False) -> Table:
    """A two-column table of the run ``result`` of ``sim``."""
    st = sim.state
    table = Table(title=f"alveosim run: {sim.config.name}", show_header=False)
    table.add_row("backend", sim.backend.description)
    table.add_row("simulated time", format_seconds(st.time) + (" (interrupted)" if result.interrupted else ""))
    table.add_row("steps", f"{st.step:,}")
    table.add_row("wall time", f"{sim.setup_s + result.wall_s:,.1f} s (set-up {sim.setup_s:,.1f} s, stepping {result.wall_s:,.1f} s, JIT compilation included)")
    for phase in result.phases:
        rate = f", {phase['steps_per_s']:,.1f} steps/s" if phase["steps_per_s"] else ""
        table.add_row(f"  phase {phase['name']}", f"{phase['steps']:,} {phase['clock']} steps in {phase['wall_s']:,.1f} s{rate}")
    if sim.run_dir is not None:
        table.add_row("run directory", f"{sim.run_dir} (facts in {RUN_RECORD})")
    numbers = headline(result.last_row)
    if numbers:
        table.add_section()
        for name, (value, unit) in numbers.items():
            table.add_row(name, format_value(value, unit))
    if verbose:
        table.add_section()
        for key, value in result.last_row.items():
            if key in ("step", "time_s"):
                continue
            table.add_row(key, f"{value:,.6g}" if isinstance(value, float) else str(value))
    return table
