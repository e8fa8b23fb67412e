"""Cost of one blood window inside a tissue phase, against one tissue step of
the same run (the baseline, measured in the same run).

    python -m alveosim.benchmarks.bench_window [--box 150 150 75] [--window 1] [--days 2] [--repeats 3]

The run is ``configs/pancreatic_course.yaml`` in a box of ``--box`` µm (the
pancreatic scenario's 150 × 150 × 75 by default), conditioned for
``--days`` days without windows so IMs shed and plasma sEV-β2 is high; then
the window (``--window`` s of 2 ms blood steps, free blood refreshed) is
timed ``--repeats`` times after one warm-up (compilation), and so is one
tissue step (fields, IMs, systemic pools); ``cpu_seconds`` is the CPU time
(all threads) of one more window, a measure less sensitive to a shared
machine than its wall time.
"""

from __future__ import annotations

import argparse
import time

from alveosim.backend import select_backend
from alveosim.benchmarks.common import print_rows, time_call, write_results
from alveosim.blood.windows import BloodWindow
from alveosim.config import load_config
from alveosim.config.shipped import resolve_config_path
from alveosim.operations import TISSUE
from alveosim.simulation import Simulation

HOUR = 3600.0


def run(backend_name: str, box: list[float], window_s: float, days: float, repeats: int) -> list[dict]:
    hours = int(round(days * 24))
    overrides = [f"domain.size=[{box[0]} um, {box[1]} um, {box[2]} um]", f"phases.0.duration={hours + 1} h",
                 f"phases.0.blood_windows={{every: {hours + 1} h, duration: {window_s} s, dt: 2 ms}}",
                 "output.progress=false", "output.checkpoint_every=null", "output.timeseries_every=null"]
    cfg = load_config(resolve_config_path("pancreatic_course"), overrides)
    backend = select_backend(backend_name)
    sim = Simulation(cfg, backend=backend)
    sim.run(until=hours * HOUR)  # conditioning: the window fires only at the last step
    st = sim.state
    window = next(op for op in sim.operations if isinstance(op, BloodWindow))
    tissue_ops = [op for op in sim.operations if not op.writer and TISSUE in op.clocks and op is not window]

    def tissue_step():
        for op in tissue_ops:
            op.act(st, HOUR)

    tissue_s = time_call(tissue_step, backend, repeats=repeats, warmup=1)
    window_s_wall = time_call(lambda: window.act(st, HOUR), backend, repeats=repeats, warmup=1)
    cpu0 = time.process_time()
    window.act(st, HOUR)
    window_cpu = time.process_time() - cpu0  # CPU seconds of all threads: less sensitive to a shared machine
    steps = cfg.phases[0].blood_windows.n_steps
    agents = st.pool("platelet").n + st.pool("ev").n
    blood_voxels = window.context.geometry.n_blood
    return [
        {"kernel": "tissue_step (baseline)", "size": int(st.arrays["labels"].size), "backend": backend.name, "seconds": tissue_s},
        {"kernel": f"blood_window ({window_s:g} s, {steps} steps)", "size": blood_voxels, "backend": backend.name, "seconds": window_s_wall,
         "agent_updates_per_s": agents * steps / window_s_wall, "seconds_per_blood_step": window_s_wall / steps,
         "ratio_to_tissue_step": window_s_wall / tissue_s, "agents": agents, "cpu_seconds": window_cpu},
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--box", nargs=3, type=float, default=[150.0, 150.0, 75.0], metavar=("X", "Y", "Z"), help="box in um")
    parser.add_argument("--window", type=float, default=1.0, help="window length in s (2 ms steps)")
    parser.add_argument("--days", type=float, default=2.0, help="days of conditioning before the window")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rows = run(args.backend, args.box, args.window, args.days, args.repeats)
    print_rows(rows)
    path = write_results("bench_window", select_backend(args.backend), rows, extra={"box_um": args.box, "conditioning_days": args.days})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
