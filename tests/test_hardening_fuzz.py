"""Bounded fuzzing of the same properties as the corpora: any config
mutation is accepted or refused with exit 2 and no traceback, writing
nothing; any damage to a checkpoint is refused or leaves its content
exactly as written (0 silent resumes)."""

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alveosim.cli import main
from alveosim.io.checkpoint import read_checkpoint
from alveosim.io.errors import CheckpointError

from builders import EXTENSION_LINE

WALKERS = """\
name: t
seed: 3
backend: cpu
domain:
  size: [100 um, 100 um, 50 um]
  voxel: 2.5 um
species:
  walker:
    count: 100
    radius: 5 um
    diffusivity: 0.5 um^2/s
    division_rate: 1 1/h
    death_rate: 0.5 1/d
phases:
  - {name: a, clock: tissue, duration: 1 h, dt: 1 min}
""" + EXTENSION_LINE
KEYS = ["name", "seed", "backend", "domain", "domain.size", "domain.size.0", "domain.voxel", "species.walker",
        "species.walker.count", "species.walker.radius", "species.walker.capacity", "species.walker.death_rate",
        "phases", "phases.0", "phases.0.dt", "phases.0.duration", "phases.0.clock", "phases.1.dt", "output.timeseries_every",
        "output.snapshot_every", "output.checkpoint_every", "lattice", "fields.named.x.unit", "plasma.x.unit", "blood.platelets.density"]
NASTY = ["1e999 um", "inf um", "2,5 um", "9**9**9 um", "1 dday", "1 um^99", "&a [*a]", "[unclosed", "{a: ", "1 h", "1 ms",
         "-1 min", "0 s", "1e-300 s", "1e300 s", "\udcff", "\x00", "!!python/object:os.system x", "*undefined", "1 um/s"]
SCALARS = st.one_of(
    st.sampled_from(NASTY),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.sampled_from(["a", "dt", "unit"]), SCALARS, max_size=2))
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _yaml_value(value) -> str:
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True, width=10**6).strip().removesuffix("...").strip()


def _refused_cleanly(capsys, argv, folder: Path) -> None:
    before = sorted(folder.rglob("*"))
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2)
    assert "Traceback" not in err
    if code == 2:
        assert err.strip()
    assert sorted(folder.rglob("*")) == before


@FUZZ
@given(overrides=st.lists(st.tuples(st.sampled_from(KEYS), VALUES), min_size=1, max_size=3))
def test_fuzzed_overrides(capsys, overrides):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = folder / "c.yaml"
        config.write_text(WALKERS)
        sets = [a for key, value in overrides for a in ("--set", f"{key}={_yaml_value(value)}")]
        _refused_cleanly(capsys, ["validate", str(config), *sets], folder)


@FUZZ
@given(position=st.integers(min_value=0, max_value=len(WALKERS)), cut=st.integers(min_value=0, max_value=8),
       insert=st.binary(max_size=12))
def test_fuzzed_config_bytes(capsys, position, cut, insert):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = WALKERS.encode()
        config = folder / "c.yaml"
        config.write_bytes(data[:position] + insert + data[position + cut:])
        _refused_cleanly(capsys, ["validate", str(config)], folder)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzzrun")
    config = base / "c.yaml"
    config.write_text(WALKERS.replace("count: 100", "count: 40").replace("duration: 1 h", "duration: 2 min")
                      + "output: {progress: false, checkpoint_every: 1 min}\n")
    assert main(["run", str(config), "--out", str(base / "run"), "--no-progress"]) == 0
    path = base / "run" / "checkpoints" / "step_0000000001.h5"
    return path, read_checkpoint(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 7)), min_size=1, max_size=4),
       keep=st.one_of(st.none(), st.floats(0, 1)))
def test_fuzzed_checkpoint_damage(checkpoint, tmp_path, flips, keep):
    """Random bit flips and truncation: refused, or read back identical."""
    path, good = checkpoint
    damaged = tmp_path / "ck.h5"
    shutil.copyfile(path, damaged)
    raw = bytearray(damaged.read_bytes())
    for where, bit in flips:
        raw[int(where * len(raw))] ^= 1 << bit
    if keep is not None:
        raw = raw[: int(keep * len(raw))]
    damaged.write_bytes(bytes(raw))
    try:
        ck = read_checkpoint(damaged)
    except CheckpointError:
        return
    assert ck.meta["digest"] == good.meta["digest"]
    assert (ck.step, ck.time, ck.phase_index, ck.phase_step, ck.values) == (good.step, good.time, good.phase_index, good.phase_step, good.values)
    for name, pool in good.pools.items():
        assert (ck.pools[name].n, ck.pools[name].next_uid, ck.pools[name].capacity) == (pool.n, pool.next_uid, pool.capacity)
        for field, values in pool.fields.items():
            np.testing.assert_array_equal(ck.pools[name].fields[field], values)
