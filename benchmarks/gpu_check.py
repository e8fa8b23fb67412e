"""One prepared check of a GPU machine, in stages, each in its own process
with a time limit (about 8 minutes in all); a failed or timed-out stage is
recorded and the next one runs.

  install    pip install --no-index --find-links WHEELS (only with --wheels)
  tests      the CUDA tests on the device (ALVEOSIM_TEST_GPU=1)
  bench      bench_blood and bench_agents on cuda at 1e5-1e7 agents (agents
             also 1e8 when device memory allows), CUDA-event timing after
             warm-up, blood syncs/launches/array operations per step
  agreement  CPU vs GPU: identical random words (uniform and normal draws),
             identical agent counts and ledger, positions within 1e-3 um
             after a short blood run
  largest    the largest blood simulation that fits in device memory and
             time (doubling from 1e7 agents), seconds per step

Writes OUT/gpu_check.json (every stage: status, seconds, results) after each
stage, OUT/gpu_check.log (all output) and the benchmark JSON under OUT/bench/.
--simulate runs the same stages at tiny sizes in Numba's CUDA simulator.

    python benchmarks/gpu_check.py --out gpu-check --wheels wheels
    python benchmarks/gpu_check.py --simulate --out /tmp/check
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# stage -> time limit in seconds on a GPU (the simulator's are below)
LIMITS = {"install": 45, "tests": 120, "bench": 130, "agreement": 90, "largest": 75}  # the agreement compiles the CPU kernels
SIMULATE_LIMITS = {"install": 45, "tests": 40, "bench": 60, "agreement": 40, "largest": 30}
POSITION_TOLERANCE_UM = 1e-3
BLOOD_BYTES_PER_AGENT = 400  # pools at twice the live count, scratch, cell list and voxel arrays, with margin
LARGEST_CAP = 1_000_000_000  # agents; the host seeds positions in NumPy, about 80 B/agent


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="gpu_check.py", description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created)")
    p.add_argument("--wheels", metavar="DIR", help="folder of wheels to install the project from, offline")
    p.add_argument("--simulate", action="store_true", help="tiny sizes in Numba's CUDA simulator (no GPU needed)")
    p.add_argument("--only", nargs="+", choices=list(LIMITS), metavar="STAGE", help="run only these stages")
    p.add_argument("--stage", choices=list(LIMITS), help=argparse.SUPPRESS)  # one stage, in this process
    args = p.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.stage:
        result = STAGES[args.stage](out, args)
        (out / f"stage-{args.stage}.json").write_text(json.dumps(result, indent=2, default=str))
        return 0 if result.get("ok", True) else 1
    return run_stages(out, args)


def run_stages(out: Path, args) -> int:
    limits = SIMULATE_LIMITS if args.simulate else LIMITS
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    if args.simulate:
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    report = {"simulate": bool(args.simulate), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "limits_s": limits, "stages": {}}
    with open(out / "gpu_check.log", "a") as log:
        for name, limit in limits.items():
            if args.only and name not in args.only:
                continue
            if name == "install" and not args.wheels:
                report["stages"][name] = {"status": "skipped", "why": "no --wheels"}
                continue
            report["stages"][name] = _run_stage(name, limit, out, args, env, log)
            (out / "gpu_check.json").write_text(json.dumps(report, indent=2, default=str))
            print(f"{name:10s} {report['stages'][name]['status']:8s} {report['stages'][name]['seconds']:7.1f} s", flush=True)
    (out / "gpu_check.json").write_text(json.dumps(report, indent=2, default=str))
    failed = [n for n, s in report["stages"].items() if s["status"] not in ("ok", "skipped")]
    print(f"wrote {out / 'gpu_check.json'}" + (f"; not ok: {', '.join(failed)}" if failed else "; all stages ok"))
    return 1 if failed else 0


def _run_stage(name: str, limit: float, out: Path, args, env: dict, log) -> dict:
    """Run one stage in a child process (its own session, killed at ``limit``)."""
    if name == "install":
        cmd = install_command(Path(args.wheels))
    else:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", name, "--out", str(out)] + (["--simulate"] if args.simulate else [])
    log.write(f"\n===== {name} (limit {limit:.0f} s): {' '.join(cmd)}\n")
    log.flush()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        rc = proc.wait(timeout=limit)
        status = "ok" if rc == 0 else "failed"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
        rc, status = None, "timeout"
    seconds = time.perf_counter() - t0
    log.write(f"===== {name}: {status} (rc {rc}) after {seconds:.1f} s\n")
    log.flush()
    result_file = out / f"stage-{name}.json"
    result = json.loads(result_file.read_text()) if result_file.exists() else None
    return {"status": status, "rc": rc, "seconds": seconds, "result": result}


def install_command(wheels: Path) -> list[str]:
    """pip install, offline: the project's wheel from ``wheels`` when there is
    one (``pip wheel --no-deps . -w wheels``), else the source tree."""
    target = "alveosim" if any(wheels.glob("alveosim-*.whl")) else str(ROOT)
    return [sys.executable, "-m", "pip", "install", "--no-index", "--find-links", str(wheels), target]


# -- stages, each run in its own process ---------------------------------------------------


def stage_tests(out: Path, args) -> dict:
    """The CUDA-backend tests: on the device, or a fast subset in the simulator."""
    env = dict(os.environ)
    if args.simulate:
        selection = ["tests/test_counting.py"]
    else:
        env["ALVEOSIM_TEST_GPU"] = "1"
        selection = ["tests", "-m", "not slow", "-k", "cuda or counting or syncs"]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", str(out / "tests.xml"), *selection]
    rc = subprocess.call(cmd, cwd=ROOT, env=env)
    return {"ok": rc == 0, "pytest_rc": rc, "junit": str(out / "tests.xml")}


def stage_bench(out: Path, args) -> dict:
    """bench_blood then bench_agents on cuda; each module's JSON as it finishes."""
    from importlib import import_module

    from alveosim.backend import select_backend

    os.environ["ALVEOSIM_BENCH_DIR"] = str(out / "bench")
    backend = select_backend("cuda")
    if args.simulate:
        plan = {"bench_blood": ["--sizes", "60", "--repeats", "1", "--profile-agents", "60", "--profile-steps", "3"], "bench_agents": ["--sizes", "100", "--repeats", "1"]}
    else:
        mem = backend.memory_info()
        agent_sizes = ["100000", "1000000", "10000000"] + (["100000000"] if mem and mem[0] > 40 * 2**30 else [])
        plan = {"bench_blood": ["--sizes", "1e5", "1e6", "1e7", "--repeats", "3"], "bench_agents": ["--sizes", *agent_sizes, "--repeats", "3"]}
    done = {}
    for module, argv in plan.items():
        t0 = time.perf_counter()
        try:
            import_module(f"alveosim.benchmarks.{module}").main([*argv, "--backend", "cuda"])
            done[module] = {"status": "ok", "seconds": time.perf_counter() - t0, "argv": argv}
        except Exception as exc:  # record and go on with the next benchmark
            done[module] = {"status": "failed", "error": f"{type(exc).__name__}: {exc}", "argv": argv}
        (out / "stage-bench.json").write_text(json.dumps({"ok": False, "modules": done}, indent=2))
    return {"ok": all(d["status"] == "ok" for d in done.values()), "modules": done, "results_dir": str(out / "bench")}


def stage_agreement(out: Path, args) -> dict:
    """CPU and cuda backends on the same draws and the same short blood run."""
    import numpy as np

    from alveosim.benchmarks.bench_blood import advance, build
    from alveosim.backend import select_backend
    from alveosim.blood import ledger

    backends = {name: select_backend(name) for name in ("cpu", "cuda")}
    n, steps = (100, 2) if args.simulate else (200_000, 20)
    draws = {}
    for name, be in backends.items():
        k = be.kernels("draws")
        uid = be.asarray(np.arange(n, dtype=np.int64) * 7919 + 3)
        draws[name] = {}
        for kind in ("uniform", "normal"):
            buf = be.xp.zeros((n, 4), dtype=np.float64)
            getattr(k, f"fill_{kind}")(n, 12345, 7, 42, uid, buf)
            draws[name][kind] = be.to_host(buf)
    result = {"draws": n * 4}
    for kind in ("uniform", "normal"):
        a, b = draws["cpu"][kind], draws["cuda"][kind]
        result[f"{kind}_identical"] = bool(np.array_equal(a, b))
        result[f"{kind}_mismatches"] = int(np.count_nonzero(a != b))
    runs = {}
    for name, be in backends.items():
        sim = build(be, n, seed=3)
        advance(sim, 1e-3, steps)
        st = sim.state
        runs[name] = {"pools": {sp: st.pool(sp).to_host() for sp in ("ev", "platelet")}, "ledger": ledger.values(st)}
    result.update(agents=n, steps=steps, ledger_identical=runs["cpu"]["ledger"] == runs["cuda"]["ledger"], position_tolerance_um=POSITION_TOLERANCE_UM)
    counts_ok, worst = True, 0.0
    for sp in ("ev", "platelet"):
        a, b = runs["cpu"]["pools"][sp], runs["cuda"]["pools"][sp]
        same_agents = a["uid"].shape == b["uid"].shape and np.array_equal(np.sort(a["uid"]), np.sort(b["uid"]))
        result[f"{sp}_count"] = {"cpu": int(a["uid"].shape[0]), "cuda": int(b["uid"].shape[0])}
        result[f"{sp}_same_uids"] = bool(same_agents)
        counts_ok &= bool(same_agents)
        if same_agents:
            ia, ib = np.argsort(a["uid"]), np.argsort(b["uid"])
            diff = float(np.abs(a["pos"][ia].astype(np.float64) - b["pos"][ib]).max()) if ia.size else 0.0
            result[f"{sp}_max_position_diff_um"] = diff
            result[f"{sp}_same_states"] = bool(np.array_equal(a["state"][ia], b["state"][ib]))
            worst = max(worst, diff)
            counts_ok &= result[f"{sp}_same_states"]
    result["ok"] = bool(result["uniform_identical"] and result["normal_identical"] and result["ledger_identical"] and counts_ok and worst <= POSITION_TOLERANCE_UM)
    return result


def stage_largest(out: Path, args) -> dict:
    """The largest blood run that fits: sizes grow (x2, from 1e7 agents on a
    GPU) up to what device memory allows, while the next one is predicted to
    finish in time; each attempt is written as it ends, so a stage killed at
    its limit keeps the largest finished one."""
    from alveosim.benchmarks.bench_blood import advance, build
    from alveosim.benchmarks.common import time_call
    from alveosim.backend import select_backend

    backend = select_backend("cuda")
    limit = (SIMULATE_LIMITS if args.simulate else LIMITS)["largest"]
    if args.simulate:
        n, cap = 60, 60
    else:
        n, cap = 10_000_000, int(min(LARGEST_CAP, backend.memory_info()[0] / BLOOD_BYTES_PER_AGENT))
    t_stage, attempts, largest = time.perf_counter(), [], 0
    while n <= cap:
        t0 = time.perf_counter()
        try:
            sim = build(backend, n)
            setup = time.perf_counter() - t0
            seconds = time_call(lambda: advance(sim), backend, repeats=3, warmup=1)
            live = sim.state.pool("ev").n + sim.state.pool("platelet").n
            attempts.append({"agents": n, "status": "ok", "setup_s": setup, "seconds_per_step": seconds, "agent_updates_per_s": live / seconds, "memory": backend.memory_info()})
            largest = n
        except Exception as exc:  # out of memory: the previous size was the largest
            attempts.append({"agents": n, "status": "failed", "error": f"{type(exc).__name__}: {str(exc)[:300]}"})
            break
        finally:
            sim = None
            if hasattr(backend.xp, "get_default_memory_pool"):
                backend.xp.get_default_memory_pool().free_all_blocks()
        (out / "stage-largest.json").write_text(json.dumps({"ok": largest > 0, "largest_agents": largest, "attempts": attempts}, indent=2, default=str))
        elapsed, took = time.perf_counter() - t_stage, time.perf_counter() - t0
        if elapsed + 2.5 * took > 0.9 * limit:
            break
        n *= 2
    return {"ok": largest > 0, "largest_agents": largest, "attempts": attempts}


STAGES = {"tests": stage_tests, "bench": stage_bench, "agreement": stage_agreement, "largest": stage_largest}


if __name__ == "__main__":
    raise SystemExit(main())
