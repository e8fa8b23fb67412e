"""Checkpoints: exact resume on both backends and across them, atomic writes
that survive a failing or killed writer, clear errors for bad files."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

from alveosim.backend import select_backend
from alveosim.cli import main as cli_main
from alveosim.config import load_config, resolved_dict
from alveosim.io.checkpoint import read_checkpoint, write_checkpoint
from alveosim.io.errors import CheckpointError
from alveosim.io.resume import resume
from alveosim.operations import Operation
from alveosim.rundir import write_config
from alveosim.simulation import Simulation

from builders import phase_data, walker_data

REPO = Path(__file__).resolve().parent.parent
DT = 60.0  # s, tissue step of the test config


def small_config(**output):
    """Walkers in a 12³-voxel box, two phases (3 + 5 steps of 1 min)."""
    data = walker_data("ckpt", 7, 120, [phase_data("a", "3 min", "1 min"), phase_data("b", "5 min", "1 min")], crowding_limit=3,
                       output={"timeseries_every": 2, "progress": False, "checkpoint_every": "2 min", "checkpoint_keep": 10, **output})
    return load_config(data=data)


class SyntheticField(Operation):
    """Evolves stand-ins for lattice/field arrays and a systemic value, so the
    generic array and value paths of the checkpoint are exercised."""

    def act(self, state, dt):
        xp = state.backend.xp
        f = state.arrays["fields"]
        state.arrays["fields"] = (f * np.float32(0.9) + xp.float32(1e-3) * state.step).astype(np.float32)
        state.arrays["labels"] = (state.arrays["labels"] + 1).astype(np.uint8)
        state.values["plasma_test_pM"] = state.values["plasma_test_pM"] * 1.1 + 0.1


def new_sim(cfg, backend, run_dir):
    if run_dir is not None:
        run_dir.mkdir(parents=True)
        write_config(run_dir, cfg)
    sim = Simulation(cfg, backend=backend, run_dir=run_dir)
    rng = np.random.default_rng(3)
    sim.state.arrays["fields"] = backend.asarray(rng.random((2, 12, 12, 12)).astype(np.float32))
    sim.state.arrays["labels"] = backend.asarray(rng.integers(0, 4, (12, 12, 12)).astype(np.uint8))
    sim.state.values["plasma_test_pM"] = 0.5
    sim.operations.append(SyntheticField())
    return sim


def continued(checkpoint, backend, run_dir=None):
    sim = resume(checkpoint, backend=backend, run_dir=run_dir)
    sim.operations.append(SyntheticField())
    return sim


def host_state(sim):
    st = sim.state
    pools = {name: (p.n, p.next_uid, p.to_host()) for name, p in st.pools.items()}
    arrays = {k: sim.backend.to_host(v) for k, v in st.arrays.items()}
    return st.step, st.time, st.phase_index, st.phase_step, pools, arrays, dict(st.values)


def assert_same_state(a, b, exact_floats=True):
    assert a[:4] == b[:4]
    assert a[4].keys() == b[4].keys()
    for name in a[4]:
        n1, u1, f1 = a[4][name]
        n2, u2, f2 = b[4][name]
        assert (n1, u1) == (n2, u2)
        for field in f1:
            if exact_floats or f1[field].dtype.kind in "iub":
                np.testing.assert_array_equal(f1[field], f2[field], err_msg=f"{name}.{field}")
            else:
                np.testing.assert_allclose(f1[field], f2[field], rtol=0, atol=1e-4, err_msg=f"{name}.{field}")
    for k in a[5]:
        assert a[5][k].dtype == b[5][k].dtype
        np.testing.assert_array_equal(a[5][k], b[5][k], err_msg=k)
    assert a[6] == b[6]


def test_resume_is_bit_identical(backend, tmp_path):
    cfg = small_config()
    full = new_sim(cfg, backend, tmp_path / "full")
    full.run()
    first = new_sim(cfg, backend, tmp_path / "split")
    first.run(until=4 * DT)  # step 4, inside phase b
    ckpt = tmp_path / "split" / "checkpoints" / "step_0000000004.h5"
    assert ckpt.exists()
    second = continued(ckpt, backend)
    assert second.state.step == 4 and second.state.phase_index == 1 and second.state.phase_step == 1
    second.run()
    assert_same_state(host_state(full), host_state(second))
    assert (tmp_path / "full" / "timeseries.csv").read_text() == (tmp_path / "split" / "timeseries.csv").read_text()
    a = read_checkpoint(tmp_path / "full" / "checkpoints" / "step_0000000008.h5")
    b = read_checkpoint(tmp_path / "split" / "checkpoints" / "step_0000000008.h5")
    assert a.meta["config_hash"] == b.meta["config_hash"]
    for name in a.pools:
        for field in a.pools[name].fields:
            np.testing.assert_array_equal(a.pools[name].fields[field], b.pools[name].fields[field])


def test_checkpoint_round_trip_holds_everything(backend, tmp_path):
    cfg = small_config()
    sim = new_sim(cfg, backend, None)
    sim.run(until=3 * DT)
    sim.state.pools["walker"].grow(4096)
    path = write_checkpoint(sim, tmp_path / "x.h5")
    ck = read_checkpoint(path)
    assert resolved_dict(ck.config) == resolved_dict(cfg)
    assert ck.pools["walker"].capacity == 4096
    assert ck.meta["backend"] == backend.name and "numba" in ck.meta["versions"]
    with h5py.File(path) as f:  # live agents only, compressed, chunked, checksummed
        pos = f["pools/walker/pos"]
        assert pos.shape[0] == sim.state.pools["walker"].n
        assert pos.compression == "gzip" and pos.chunks is not None and pos.fletcher32
    from alveosim.io.checkpoint import restore_state

    restored = restore_state(ck, backend)
    assert restored.pools["walker"].capacity == 4096
    clone = Simulation(cfg, backend=backend, state=restored)
    assert_same_state(host_state(sim), host_state(clone))


def test_cpu_checkpoint_resumes_on_cuda_simulator(tmp_path):
    cpu, cuda = select_backend("cpu"), select_backend("cuda")
    cfg = small_config()
    full = new_sim(cfg, cpu, tmp_path / "full")
    full.run()
    first = new_sim(cfg, cpu, tmp_path / "split")
    first.run(until=4 * DT)
    second = continued(tmp_path / "split" / "checkpoints" / "step_0000000004.h5", cuda, tmp_path / "on_cuda")
    assert second.backend.name == "cuda"
    second.run(until=6 * DT)
    # and back: a checkpoint written on the cuda backend continues on the CPU
    back = continued(tmp_path / "on_cuda" / "checkpoints" / "step_0000000006.h5", cpu, tmp_path / "back")
    assert back.backend.name == "cpu" and back.state.step == 6
    back.run()
    # discrete state bit for bit; positions to float tolerance (CPU vs GPU maths)
    assert_same_state(host_state(full), host_state(back), exact_floats=False)


def test_failed_write_keeps_previous_checkpoint(tmp_path, monkeypatch):
    import alveosim.io.checkpoint as ckmod

    cfg = small_config()
    calls = {"n": 0}
    real = ckmod._write_pools

    def failing(group, state):
        calls["n"] += 1
        if calls["n"] == 2:
            real(group, state)  # half the file written, then the writer dies
            raise RuntimeError("disk on fire")
        real(group, state)

    monkeypatch.setattr(ckmod, "_write_pools", failing)
    sim = new_sim(cfg, select_backend("cpu"), tmp_path / "run")
    with pytest.raises(RuntimeError, match="disk on fire"):
        sim.run()
    folder = tmp_path / "run" / "checkpoints"
    assert sorted(p.name for p in folder.iterdir()) == ["step_0000000002.h5"]  # no temp file, no step 4
    resumed = continued(folder / "step_0000000002.h5", "cpu")
    resumed.run()
    assert resumed.state.step == 8


KILLER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    from alveosim.config import load_config, resolved_dict
    from alveosim.simulation import Simulation
    import alveosim.io.checkpoint as ckmod
    import yaml
    cfg = load_config(data=yaml.safe_load(open(sys.argv[1])))
    real, calls = ckmod._write_dataset, {{"n": 0}}
    def dying(group, name, data):
        real(group, name, data)
        calls["n"] += 1
        if calls["n"] > 3:  # the first checkpoint writes 3 walker fields; die inside the second
            os.kill(os.getpid(), signal.SIGKILL)
    ckmod._write_dataset = dying
    Simulation(cfg, backend="cpu", run_dir=sys.argv[2]).run()
""")


def test_sigkill_mid_write_leaves_previous_checkpoint_resumable(tmp_path):
    from alveosim.config import resolved_yaml

    cfg_file = tmp_path / "cfg.yaml"
    cfg_file.write_text(resolved_yaml(small_config()))
    script = tmp_path / "killer.py"
    script.write_text(KILLER.format(repo=str(REPO)))
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="0")
    proc = subprocess.run([sys.executable, str(script), str(cfg_file), str(tmp_path / "run")], env=env, capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    folder = tmp_path / "run" / "checkpoints"
    finals = sorted(p.name for p in folder.glob("step_*.h5"))
    assert finals == ["step_0000000002.h5"]  # the step-4 file never appeared under its name
    assert any(p.name.endswith(".tmp") for p in folder.iterdir())  # it died while writing
    sim = resume(folder / "step_0000000002.h5", backend="cpu")
    sim.run()
    assert sim.state.step == 8


def _valid_checkpoint(tmp_path) -> Path:
    sim = new_sim(small_config(), select_backend("cpu"), tmp_path / "good")
    sim.run(until=2 * DT)
    return tmp_path / "good" / "checkpoints" / "step_0000000002.h5"


def test_bad_files_give_clear_errors(tmp_path):
    good = _valid_checkpoint(tmp_path)
    data = good.read_bytes()
    cases = {}
    (tmp_path / "truncated.h5").write_bytes(data[: len(data) // 2])
    cases["truncated.h5"] = "truncated or damaged"
    (tmp_path / "garbage.h5").write_bytes(np.random.default_rng(0).bytes(4096))
    cases["garbage.h5"] = "not an HDF5 file"
    (tmp_path / "empty.h5").write_bytes(b"")
    cases["empty.h5"] = "empty file"
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["x"] = np.arange(3)
    cases["foreign.h5"] = "not an alveosim checkpoint"
    with h5py.File(tmp_path / "snapshot.h5", "w") as f:
        f.create_group("VTKHDF")
    cases["snapshot.h5"] = "VTKHDF snapshot"
    cases["missing.h5"] = "no such checkpoint file"
    damaged = tmp_path / "damaged.h5"
    damaged.write_bytes(data)
    with h5py.File(damaged, "r") as f:
        offset = f["pools/walker/pos"].id.get_chunk_info(0).byte_offset
    raw = bytearray(data)
    raw[offset : offset + 64] = bytes(64)
    damaged.write_bytes(bytes(raw))
    cases["damaged.h5"] = "damaged dataset /pools/walker/pos"
    for name, message in cases.items():
        with pytest.raises(CheckpointError, match=message):
            read_checkpoint(tmp_path / name)


def test_resume_cli_bad_file_changes_nothing(tmp_path, capsys):
    good = _valid_checkpoint(tmp_path)
    run_dir = good.parent.parent
    bad = good.parent / "step_0000000099.h5"
    bad.write_bytes(good.read_bytes()[:1000])
    before = {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}
    assert cli_main(["resume", str(bad), "--backend", "cpu", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "cannot resume" in err and "truncated" in err and "Traceback" not in err
    after = {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}
    assert before == after


def test_resume_cli_until_and_out(tmp_path, capsys):
    good = _valid_checkpoint(tmp_path)
    assert cli_main(["resume", str(good), "--until", "6 min", "--backend", "cpu", "--out", str(tmp_path / "new"), "--no-progress"]) == 0
    new = tmp_path / "new"
    assert (new / "config.yaml").exists()
    ck = read_checkpoint(new / "checkpoints" / "step_0000000006.h5")
    assert ck.step == 6 and ck.time == 6 * DT
    steps = [int(line.split(",")[0]) for line in (new / "timeseries.csv").read_text().splitlines()[1:]]
    assert steps == [0, 2, 5, 6]  # every 2 steps counted from each phase's start (phase b begins after step 3), and the last
    assert cli_main(["inspect", str(new / "checkpoints" / "step_0000000006.h5")]) == 0
    out = capsys.readouterr().out
    assert "species walker" in out and ck.meta["config_hash"] in out


def test_retention_keeps_newest(tmp_path):
    sim = new_sim(small_config(checkpoint_every="1 min", checkpoint_keep=3), select_backend("cpu"), tmp_path / "run")
    sim.run()
    names = sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir())
    assert names == ["step_0000000006.h5", "step_0000000007.h5", "step_0000000008.h5"]


def test_full_model_resume_is_bit_identical(tmp_path):
    """The lung model as shipped (lattice, flow, fields, IMs, systemic pools,
    platelets, sEVs), resumed inside the blood phase: every pool, array, value
    and the time series equal the uninterrupted run's."""
    overrides = ["phases.0.duration=6 h", "phases.1.duration=40 ms", "output.timeseries_every=4", "output.progress=false",
                 "output.checkpoint_every=1 d", "sev_pool.assay_cv=0.2"]
    cfg = load_config(REPO / "configs" / "pancreatic.yaml", overrides)
    cpu = select_backend("cpu")
    full = Simulation(cfg, backend=cpu, run_dir=tmp_path / "full")
    full.run()
    Simulation(cfg, backend=cpu, run_dir=tmp_path / "split").run(until=6 * 3600 + 0.010)
    ckpt = tmp_path / "split" / "checkpoints" / "step_0000000011.h5"  # 6 tissue + 5 blood steps
    second = resume(ckpt, backend=cpu)
    assert second.state.phase_index == 1
    second.run()
    assert set(full.state.pools) >= {"platelet", "ev"} and "velocity" in full.state.arrays
    assert_same_state(host_state(full), host_state(second))
    assert (tmp_path / "full" / "timeseries.csv").read_text() == (tmp_path / "split" / "timeseries.csv").read_text()
