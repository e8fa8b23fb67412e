"""Blood-clock step benchmark: transport, neighbour search (platelet cell
list), binding, activation, aggregation and occlusion, at 10^5 and 10^6
agents on the CPU (add 10^7 and more on a GPU with --sizes), in
agent-updates/s (agents = EVs + platelets), with the memory per agent.

    python -m alveosim.benchmarks.bench_blood [--backend cpu|cuda] [--sizes 1e5 1e6] [--repeats 3]

The geometry is a straight capillary slab (labels CAPILLARY inside a one-voxel
SEPTUM wall, inlets at x = 0, outlets at x = nx − 1) with a uniform 1 mm/s
velocity; the flow object only records occlusion (re-solves are the lattice
benchmark's business). 90 % of the agents are sEVs, 10 % platelets, at a
density of 2 agents per voxel. Operations act when their triggers fire: the
host points (pool headroom, aggregate labels, occlusion) come every 100
steps, so the timed steps are the device-only ones.

On the cuda backend (a GPU, or Numba's CUDA simulator with
NUMBA_ENABLE_CUDASIM=1) the JSON also holds ``per_step``: the syncs, kernel
launches and array operations of each step, counted apart for logging steps
(:func:`step_profile`).
"""

from __future__ import annotations

import argparse

import numpy as np

from alveosim.benchmarks.common import copy_bandwidth, finish_row, print_rows, time_call, write_results
from alveosim import labels as L
from alveosim.backend import select_backend
from alveosim.blood import feature
from alveosim.blood.species import EV, PLATELET
from alveosim.config import Config
from alveosim.simulation import Simulation
from alveosim.state import State

H = 2.5
EV_FRACTION = 0.9
AGENTS_PER_VOXEL = 2.0


class RecordingFlow:
    """Stand-in for sim.flow: ORs occlusion in, keeps the velocity."""

    def occlude(self, state, mask):
        state.arrays["occluded"] |= mask.astype(np.uint8)

    def solve(self, state):
        return None


def build(backend, n_agents: int, seed: int = 1, log_every: int = 100) -> Simulation:
    """The benchmark's blood slab of about ``n_agents`` agents; a time-series
    row (a host point of the blood clock) every ``log_every`` steps."""
    n_vox = n_agents / AGENTS_PER_VOXEL
    ny = nz = max(6, int(round((n_vox / 4) ** (1 / 3))))
    nx = max(8, int(round(n_vox / (ny * nz))))
    blood_volume = (nx * (ny - 2) * (nz - 2)) * H**3
    platelets = n_agents * (1 - EV_FRACTION) / blood_volume  # 1/um^3
    evs = n_agents * EV_FRACTION / blood_volume
    config = Config.model_validate(
        {
            "name": "bench-blood",
            "seed": seed,
            "domain": {"size": [f"{nx * H} um", f"{ny * H} um", f"{nz * H} um"], "voxel": f"{H} um"},
            "blood": {
                "platelets": {"density": f"{platelets} 1/um^3", "bonds_to_prime": 1, "activation_delay": "5 ms", "spontaneous_activation_rate": "1 /s"},
                "vesicles": {"plasma_concentration": f"{evs} 1/um^3", "binding_rate": "100 /s"},
            },
            "phases": [{"name": "blood", "clock": "blood", "duration": "1 s", "dt": "1 ms"}],
            "output": {"progress": False, "timeseries_every": log_every},
        }
    )
    labels = np.full((nx, ny, nz), L.SEPTUM, dtype=np.uint8)
    labels[:, 1:-1, 1:-1] = L.CAPILLARY
    labels[0, 1:-1, 1:-1] = L.INLET
    labels[-1, 1:-1, 1:-1] = L.OUTLET
    velocity = np.zeros((nx, ny, nz, 3), dtype=np.float32)
    velocity[..., 0] = np.where(labels != L.SEPTUM, 1000.0, 0.0)
    state = State(backend, seed)
    state.arrays["labels"] = backend.asarray(labels)
    state.arrays["occluded"] = backend.xp.zeros(labels.shape, dtype=np.uint8)
    state.arrays["velocity"] = backend.asarray(velocity)
    sim = Simulation(config, backend=backend, state=state)
    sim.flow = RecordingFlow()
    feature.initialize(sim)
    sim._attach_all()
    return sim


# Device->host transfers of a blood step that is not a host point (a logging
# step or a phase's first step, sim/blood/settle.py), by "module:function" of
# the code asking: none. Pool counts, births, removals, the ledger and joins
# stay on the device; host points read the pool sizes, settle aggregate
# labels and occlusion.
STEP_SYNCS: dict[str, int] = {}


def blood_ops(sim) -> list:
    """The blood-clock operations of ``sim`` in step order (no writers)."""
    return [op for op in sim.operations if "blood" in op.clocks and not op.writer]


def advance(sim, dt: float = 1e-3, steps: int = 1) -> None:
    """Run ``steps`` blood steps of ``dt`` s (each operation when its trigger
    fires, no writers)."""
    st = sim.state
    ops = blood_ops(sim)
    for _ in range(steps):
        for op in ops:
            if op.trigger(st.step + 1, st.time + dt, dt):
                op.act(st, dt)
        st.step += 1
        st.time += dt


def step_profile(n_agents: int = 400, steps: int = 6, log_every: int = 3, dt: float = 1e-3) -> dict:
    """Syncs, kernel launches and array operations of each blood step on the
    cuda backend (the CUDA simulator or a GPU), counted by
    :class:`alveosim.benchmarks.counting.CountingBackend` after the phase's
    first step (a host point, uncounted). Every ``log_every``-th step is a
    logging step: its counts, with the time-series row's own reads, go to
    ``logging`` apart from the other steps' ``samples``. Returns the samples,
    their summary (:func:`~alveosim.benchmarks.counting.per_step`), the
    logging steps' counts and the sync sites ``{site: [(step, count)]}`` of
    the steps that do not log."""
    from alveosim.benchmarks.counting import CountingBackend, per_step

    with CountingBackend() as be:
        sim = build(be, n_agents, log_every=log_every)
        st = sim.state
        advance(sim, dt)
        be.counts.reset()
        samples, logging, sites = [], [], {}
        for step in range(1, steps + 1):
            advance(sim, dt)
            if sim.timeseries.trigger(st.step, st.time, dt):
                for op in sim.operations:
                    op.observe(st)
                logging.append(be.counts.snapshot())
            else:
                samples.append(be.counts.snapshot())
                for site, count in be.counts.sites.items():
                    sites.setdefault(site, []).append((step, count))
            be.counts.reset()
    return {"agents": n_agents, "samples": samples, "logging": logging, "sites": sites, **per_step(samples)}


def run(backend_name: str, sizes, repeats: int) -> list[dict]:
    backend = select_backend(backend_name)
    bandwidth = copy_bandwidth(backend)
    rows = []
    for size in sizes:
        sim = build(backend, int(size))
        st = sim.state
        ops = {type(op).__name__: op for op in blood_ops(sim)}
        dt = 1e-3
        context = ops["Binding"].context

        def part(names):
            def go():
                for name in names:
                    if ops[name].trigger(st.step + 1, st.time + dt, dt):
                        ops[name].act(st, dt)
                st.step += 1
                st.time += dt

            return go

        n_agents = st.pool("ev").n + st.pool("platelet").n
        cells = context.platelet_cells
        pl = st.pool("platelet")
        n_platelets = pl.n
        parts = {
            "blood_step": list(ops),
            "transport": ["BloodTransport"],
            "binding": ["PlateletCellList", "Binding"],  # each reads the cell list its owner builds in the step
            "aggregation": ["PlateletCellList", "PlateletActivation", "Aggregation"],
        }
        # fate, removal flag, bind target / fate, removal flag, cell keys + order + sorted keys, joined (bytes);
        # CUDA compaction adds survivor flags and a gather buffer as wide as the widest field (pos)
        scratch = {"ev": 1 + 1 + 8, "platelet": 1 + 1 + 24 + 1}
        if backend.name == "cuda":
            scratch = {name: b + 8 + 12 for name, b in scratch.items()}
        per_agent = EV_FRACTION * (EV.bytes_per_agent() + scratch["ev"]) + (1 - EV_FRACTION) * (PLATELET.bytes_per_agent() + scratch["platelet"])
        for kernel, names in parts.items():
            seconds = time_call(part(names), backend, repeats=repeats, warmup=1)
            rows.append(finish_row({"kernel": kernel, "size": n_agents, "backend": backend.name, "seconds": seconds, "agent_updates_per_s": n_agents / seconds, "bytes_per_agent": per_agent}, bandwidth))

        def rebuild():
            st.step += 1
            cells.build(st)

        seconds = time_call(rebuild, backend, repeats=repeats, warmup=1)
        rows.append(finish_row({"kernel": "neighbour_search (platelet cell list)", "size": n_platelets, "backend": backend.name, "seconds": seconds, "agent_updates_per_s": n_platelets / seconds}, bandwidth))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile-agents", type=int, default=400, help="agents of the cuda sync/launch/op count per step (0: none)")
    parser.add_argument("--profile-steps", type=int, default=6, help="steps of that count (a time-series row every 3)")
    args = parser.parse_args(argv)
    rows = run(args.backend, args.sizes, args.repeats)
    print_rows(rows)
    extra = {"ev_fraction": EV_FRACTION, "agents_per_voxel": AGENTS_PER_VOXEL}
    if args.backend == "cuda" and args.profile_agents > 0:
        try:
            profile = step_profile(args.profile_agents, steps=args.profile_steps)
        except Exception as exc:  # the timings above still get written
            extra["per_step"] = {"error": f"{type(exc).__name__}: {exc}"}
        else:
            extra["per_step"] = {k: v for k, v in profile.items() if k != "sites"}
            extra["per_step"]["sync_sites"] = sorted(profile["sites"])
            for row in rows:
                if row["kernel"] == "blood_step":
                    row.update({k: profile[k] for k in ("syncs_per_step_max", "launches_per_step", "array_ops_per_step")})
    path = write_results("bench_blood", select_backend(args.backend), rows, extra=extra)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
