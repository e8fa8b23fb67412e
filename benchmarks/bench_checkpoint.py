"""Checkpoint write and read throughput (MB/s of state) and size per agent,
at 10⁶ agents and a 128³-voxel lattice by default.

    python -m alveosim.benchmarks.bench_checkpoint [--agents N] [--voxels N] [--backend cpu|cuda]

The state is a platelet-like pool (pos, state, n_bound, aggregate, uid) with
positions spread through the box, plus lattice arrays like the real model's
(labels, occluded, pressure, velocity, three fields). Throughput counts the
uncompressed bytes of the state; write includes device→host copies,
compression and fsync; read includes checks and host→device restore.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

from alveosim.benchmarks.common import print_rows, write_results
from alveosim.config import load_config
from alveosim.io.checkpoint import read_checkpoint, restore_state, write_checkpoint
from alveosim.simulation import Simulation
from alveosim.species import Species

BENCH_PLATELET = Species("bench_platelet", fields={"pos": ("f4", (3,)), "state": ("u1", ()), "n_bound": ("u2", ()), "aggregate": ("i4", ())})


def build(backend: str, agents: int, voxels: int) -> Simulation:
    h = 2.5
    cfg = load_config(data={
        "name": "bench_checkpoint", "seed": 1, "backend": backend,
        "domain": {"size": [f"{voxels * h} um"] * 3, "voxel": f"{h} um"},
        "phases": [{"name": "blood", "clock": "blood", "duration": "1 ms", "dt": "1 ms"}],
        "output": {"progress": False},
    })
    sim = Simulation(cfg)
    be = sim.backend
    rng = np.random.default_rng(0)
    pool = sim.add_pool(BENCH_PLATELET, agents)
    pool.add({
        "pos": (rng.random((agents, 3)) * voxels * h).astype(np.float32),
        "state": rng.integers(0, 4, agents).astype(np.uint8),
        "n_bound": rng.poisson(0.5, agents).astype(np.uint16),
        "aggregate": np.where(rng.random(agents) < 0.05, rng.integers(0, 1000, agents), -1).astype(np.int32),
    })
    x = np.linspace(0, 2 * np.pi, voxels, dtype=np.float32)
    smooth = np.sin(x)[:, None, None] * np.cos(x)[None, :, None] + np.sin(2 * x)[None, None, :]
    labels = rng.integers(0, 4, (voxels,) * 3).astype(np.uint8)
    sim.state.arrays.update({
        "labels": be.asarray(labels),
        "occluded": be.asarray(np.zeros((voxels,) * 3, np.uint8)),
        "pressure": be.asarray((smooth * 100).astype(np.float32)),
        "velocity": be.asarray(np.stack([smooth, smooth * 0.5, -smooth], axis=-1).astype(np.float32) * 1000),
        "fields": be.asarray(np.stack([smooth, smooth ** 2, np.exp(smooth)]).astype(np.float32)),
    })
    sim.state.values.update({"plasma_cxcl13": 12.5, "plasma_sev_b2_per_um3": 1e-2})
    return sim


def state_bytes(sim) -> tuple[int, int]:
    """(agent bytes, lattice bytes) of the state, uncompressed, live rows only."""
    agent = sum(p.n * p.species.bytes_per_agent() for p in sim.state.pools.values())
    lattice = sum(int(a.nbytes) for a in sim.state.arrays.values())
    return agent, lattice


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=1_000_000)
    ap.add_argument("--voxels", type=int, default=128, help="voxels per axis")
    ap.add_argument("--backend", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    sim = build(args.backend, args.agents, args.voxels)
    agent_b, lattice_b = state_bytes(sim)
    total = agent_b + lattice_b
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.h5"
        w, r = [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            write_checkpoint(sim, path)
            w.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            restore_state(read_checkpoint(path), sim.backend)
            sim.backend.synchronize()
            r.append(time.perf_counter() - t0)
        size = path.stat().st_size
        with h5py.File(path) as f:
            agent_file_bytes = sum(d.id.get_storage_size() for d in f["pools/bench_platelet"].values())
    size_word = f"{args.agents:,} agents + {args.voxels}^3 voxels"
    for kind, seconds in (("checkpoint_write", float(np.median(w))), ("checkpoint_read_restore", float(np.median(r)))):
        rows.append({"kernel": kind, "size": size_word, "backend": sim.backend.name, "seconds": seconds,
                     "state_bytes": total, "MBps": total / seconds / 1e6, "file_bytes": size})
    extra = {
        "agents": args.agents, "voxels": args.voxels ** 3,
        "agent_state_bytes_per_agent": sim.state.pools["bench_platelet"].species.bytes_per_agent(),
        "lattice_state_bytes": lattice_b, "file_bytes": size, "compression_ratio": total / size,
        "file_bytes_per_agent_incl_lattice": size / args.agents,
        "file_bytes_per_agent": agent_file_bytes / args.agents,
    }
    print_rows(rows)
    for row in rows:
        print(f"{row['kernel']}: {row['MBps']:.1f} MB/s ({row['seconds']:.3f} s for {total / 1e6:.1f} MB of state)")
    print(f"file {size / 1e6:.1f} MB (compression ratio {total / size:.2f}); agents: {agent_file_bytes / args.agents:.1f} B/agent in the file, {agent_b / args.agents:.0f} B/agent raw")
    out = write_results("checkpoint", sim.backend, rows, extra=extra)
    print(f"results: {out}")


if __name__ == "__main__":
    main()
