"""kill -9 while a checkpoint is being written, over and over: the newest
complete checkpoint always resumes to the uninterrupted run's final state bit
for bit, and the killed writer's temporary file does not survive the next
start."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from alveosim.config import load_config
from alveosim.io.resume import resume
from alveosim.rundir import write_config
from alveosim.simulation import Simulation

from builders import phase_data, walker_data

REPO = Path(__file__).resolve().parent.parent
CONFIG = walker_data("kill", 11, 150, [phase_data("a", "12 min", "1 min")], crowding_limit=3,
                     output={"timeseries_every": 2, "progress": False, "checkpoint_every": "1 min", "checkpoint_keep": 20})
DATASETS_PER_CHECKPOINT = 3  # walker uid, pos, n_neigh

# One process imports alveosim once and forks a child per trial; the child
# SIGKILLs itself right after its k-th dataset write (inside a checkpoint).
FORKER = textwrap.dedent("""
    import json, os, signal, sys
    sys.path.insert(0, {repo!r})
    from pathlib import Path
    from alveosim.config import load_config
    from alveosim.rundir import write_config
    from alveosim.simulation import Simulation
    import alveosim.io.checkpoint as ckmod
    cfg = load_config(data=json.loads(sys.argv[1]))
    base, kills = Path(sys.argv[2]), json.loads(sys.argv[3])
    for i, k in enumerate(kills):
        pid = os.fork()
        if pid == 0:
            run_dir = base / f"t{{i}}"
            run_dir.mkdir()
            write_config(run_dir, cfg)
            real, calls = ckmod._write_dataset, {{"n": 0}}
            def dying(group, name, data):
                real(group, name, data)
                calls["n"] += 1
                if calls["n"] == k:
                    os.kill(os.getpid(), signal.SIGKILL)
            ckmod._write_dataset = dying
            Simulation(cfg, backend="cpu", run_dir=run_dir).run()
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        print(json.dumps([i, os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL]), flush=True)
""")


def _final(sim):
    st = sim.state
    pool = st.pools["walker"]
    return st.step, st.time, pool.n, pool.next_uid, {k: v.copy() for k, v in pool.to_host().items()}, dict(st.values)


@pytest.mark.slow
def test_kill_9_during_checkpoint_writes(tmp_path):
    cfg = load_config(data=CONFIG)
    reference_dir = tmp_path / "reference"
    reference_dir.mkdir()
    write_config(reference_dir, cfg)
    reference = Simulation(cfg, backend="cpu", run_dir=reference_dir)
    reference.run()
    want = _final(reference)

    # a kill inside each of checkpoints 2..11, at varying datasets within it
    kills = [c * DATASETS_PER_CHECKPOINT + 1 + c % 2 for c in range(1, 11)]
    script = tmp_path / "forker.py"
    script.write_text(FORKER.format(repo=str(REPO)))
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="0", NUMBA_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(script), json.dumps(CONFIG), str(tmp_path), json.dumps(kills)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    killed = [json.loads(line) for line in proc.stdout.splitlines()]
    assert killed == [[i, True] for i in range(len(kills))]

    for i in range(len(kills)):
        folder = tmp_path / f"t{i}" / "checkpoints"
        assert [p for p in folder.iterdir() if p.name.endswith(".tmp")]  # it died while writing
        newest = max(folder.glob("step_*.h5"))
        assert int(newest.stem[5:]) == i + 1  # every checkpoint before the killed one is complete
        sim = resume(newest, backend="cpu")
        sim.run()
        assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
        got = _final(sim)
        assert got[:4] == want[:4] and got[5] == want[5]
        for field, values in want[4].items():
            np.testing.assert_array_equal(got[4][field], values, err_msg=f"trial {i}: {field}")
        assert (tmp_path / f"t{i}" / "timeseries.csv").read_bytes() == (reference_dir / "timeseries.csv").read_bytes()
