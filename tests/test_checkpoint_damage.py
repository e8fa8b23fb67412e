"""Damaged, altered, forged and misplaced checkpoints: ``resume`` and
``inspect --verify`` refuse each with exit 2 and one line, no traceback, and
the run directory is left byte for byte as it was (0 silent resumes)."""

import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from alveosim.cli import main
from alveosim.io.digest import file_digest

from builders import EXTENSION_LINE

CONFIG = """\
name: dmg
seed: 7
backend: cpu
domain: {size: [30 um, 30 um, 30 um], voxel: 2.5 um}
species:
  walker: {count: 120, radius: 2 um, diffusivity: 0.05 um^2/s, division_rate: 2e-3 1/s, death_rate: 1e-3 1/s, crowding_limit: 3}
phases:
  - {name: a, clock: tissue, duration: 3 min, dt: 1 min}
  - {name: b, clock: tissue, duration: 5 min, dt: 1 min}
output: {timeseries_every: 2, progress: false, checkpoint_every: 1 min, checkpoint_keep: 10}
""" + EXTENSION_LINE
CK = "checkpoints/step_0000000004.h5"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two finished runs of the same config (A and B: different run ids)."""
    base = tmp_path_factory.mktemp("runs")
    cfg = base / "c.yaml"
    cfg.write_text(CONFIG)
    for name in ("A", "B"):
        assert main(["run", str(cfg), "--out", str(base / name), "--no-progress"]) == 0
    return base


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def _forge(path: Path, edit) -> None:
    """Apply ``edit(h5file)`` and write a matching digest (a deliberate forgery)."""
    with h5py.File(path, "r+") as f:
        edit(f)
        f.attrs["digest"] = file_digest(f)


def _set_attr(where: str, key: str, value):
    def edit(f):
        f[where].attrs[key] = value
    return edit


def _alter(where: str, key: str, value):
    def damage(path):
        with h5py.File(path, "r+") as f:
            f[where].attrs[key] = value
    return damage


def _truncate(fraction):
    def damage(path):
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])
    return damage


def _flip_in(dataset: str, byte: int, bit: int = 0):
    def damage(path):
        with h5py.File(path, "r") as f:
            ds = f[dataset]
            offset = ds.id.get_offset() if ds.chunks is None else ds.id.get_chunk_info(0).byte_offset
        raw = bytearray(path.read_bytes())
        raw[offset + byte] ^= 1 << bit
        path.write_bytes(bytes(raw))
    return damage


def _time_ulp(path):
    with h5py.File(path, "r+") as f:
        t = np.float64(f.attrs["time_s"])
        f.attrs["time_s"] = np.nextafter(t, np.inf)


def _forged(edit):
    return lambda path: _forge(path, edit)


def _replace_dataset(name, data):
    def edit(f):
        if name in f:
            del f[name]
        f[name] = data
    return edit


def _config_text(old, new):
    def edit(f):
        text = f["config"][()].decode().replace(old, new)
        del f["config"]
        f.create_dataset("config", data=text)
    return edit


def _write_bytes(data):
    return lambda path: path.write_bytes(data)


def _foreign(path):
    path.unlink()
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)


def _vtkhdf(path):
    path.unlink()
    with h5py.File(path, "w") as f:
        f.create_group("VTKHDF")


def _directory(path):
    path.unlink()
    path.mkdir()


DAMAGE = {
    **{f"truncated-{q}": _truncate(q) for q in (0.05, 0.25, 0.5, 0.75, 0.95, 0.999)},
    "attr-time-ulp": _time_ulp,
    "attr-step": _alter("/", "step", np.int64(5)),
    "attr-phase-index-7": _alter("/", "phase_index", np.int64(7)),
    "attr-phase-step": _alter("/", "phase_step", np.int64(99)),
    "attr-seed": _alter("/", "seed", np.uint64(8)),
    "attr-config-hash": _alter("/", "config_hash", "0" * 16),
    "attr-run-id": _alter("/", "run_id", "someone-else"),
    "attr-format-v1": _alter("/", "format_version", 1),
    "attr-format-v3": _alter("/", "format_version", 3),
    "attr-incomplete": _alter("/", "complete", np.int8(0)),
    "attr-digest": _alter("/", "digest", "0" * 64),
    "attr-next-uid-negative": _alter("pools/walker", "next_uid", np.int64(-1)),
    "attr-capacity-huge": _alter("pools/walker", "capacity", np.int64(10**15)),
    "attr-n": _alter("pools/walker", "n", np.int64(3)),
    "attr-fields-json": _alter("pools/walker", "fields", "{}"),
    "data-pos-bit": _flip_in("pools/walker/pos", 40),
    "data-uid-bit": _flip_in("pools/walker/uid", 9, 3),
    "data-config-bit": _flip_in("config", 10),
    "forged-phase-index-7": _forged(_set_attr("/", "phase_index", np.int64(7))),
    "forged-phase-step": _forged(_set_attr("/", "phase_step", np.int64(99))),
    "forged-step": _forged(_set_attr("/", "step", np.int64(5))),
    "forged-time": _forged(_set_attr("/", "time_s", np.float64(241.0))),
    "forged-seed": _forged(_set_attr("/", "seed", np.uint64(8))),
    "forged-next-uid": _forged(_set_attr("pools/walker", "next_uid", np.int64(-5))),
    "forged-capacity-huge": _forged(_set_attr("pools/walker", "capacity", np.int64(10**15))),
    "forged-capacity-below-n": _forged(_set_attr("pools/walker", "capacity", np.int64(1))),
    "forged-uids-repeated": _forged(lambda f: f["pools/walker/uid"].__setitem__(slice(None), 0)),
    "forged-labels-shape": _forged(_replace_dataset("arrays/labels", np.zeros((3, 3, 3), np.uint8))),
    "forged-labels-object": _forged(_replace_dataset("arrays/labels", np.array([b"a", b"b"]))),
    "forged-value-nan": _forged(_set_attr("values", "x", np.nan)),
    "forged-config-exponent-bomb": _forged(_config_text("voxel: 2.5 um", "voxel: 9**9**9 um")),
    "forged-config-other": _forged(_config_text("seed: 7", "seed: 8")),
    "forged-config-duplicate": _forged(_config_text("seed: 7", "seed: 7\nseed: 7")),
    "forged-format-v1": _forged(_set_attr("/", "format_version", 1)),
    "empty": _write_bytes(b""),
    "garbage": _write_bytes(np.random.default_rng(0).bytes(4096)),
    "foreign-hdf5": _foreign,
    "vtkhdf": _vtkhdf,
    "directory": _directory,
    "missing": lambda path: path.unlink(),
}


@pytest.mark.parametrize("name", list(DAMAGE))
def test_damaged_checkpoint_refused_and_nothing_changes(runs, tmp_path, capsys, name):
    run = tmp_path / "A"
    shutil.copytree(runs / "A", run)
    DAMAGE[name](run / CK)
    before = _snapshot(run)
    assert main(["resume", str(run / CK), "--backend", "cpu", "--no-progress"]) == 2
    assert "cannot resume" in _one_line(capsys.readouterr().err)
    if name != "directory":
        assert main(["inspect", "--verify", str(run / CK)]) == 2
        _one_line(capsys.readouterr().err)
    assert _snapshot(run) == before


def test_verify_passes_an_intact_checkpoint(runs, capsys):
    assert main(["inspect", "--verify", str(runs / "A" / CK)]) == 0
    assert "verified" in capsys.readouterr().out


def test_another_runs_checkpoint_is_refused(runs, tmp_path, capsys):
    """B's checkpoint (same config, another run) placed in A's folder, and
    resuming into another run's directory or a file."""
    a, b = tmp_path / "A", tmp_path / "B"
    shutil.copytree(runs / "A", a)
    shutil.copytree(runs / "B", b)
    stranger = a / "checkpoints" / "step_0000000003.h5"
    shutil.copyfile(b / CK, stranger)
    (tmp_path / "file").write_text("x")
    before = (_snapshot(a), _snapshot(b))
    attempts = [[str(stranger)], [str(a / CK), "--out", str(b)], [str(a / CK), "--out", str(tmp_path / "file")],
                [str(a / "checkpoints" / "step_0000000008.h5")]]  # the end of the run: nothing to resume
    for args in attempts:
        assert main(["resume", *args, "--backend", "cpu", "--no-progress"]) == 2
        _one_line(capsys.readouterr().err)
    assert (_snapshot(a), _snapshot(b)) == before


def test_resume_into_a_new_directory_and_stale_temporaries(runs, tmp_path):
    """--out takes a new directory (its own run id); stale temporary files of
    a killed writer are removed when the run starts again."""
    a = tmp_path / "A"
    shutil.copytree(runs / "A", a)
    stale = [a / "checkpoints" / ".step_0000000006.h5.999999999.tmp", a / ".timeseries.csv.999999999.tmp"]
    for p in stale:
        p.write_bytes(b"half")
    assert main(["resume", str(a / CK), "--backend", "cpu", "--no-progress", "--out", str(tmp_path / "new")]) == 0
    assert main(["resume", str(a / CK), "--backend", "cpu", "--no-progress"]) == 0
    assert not any(p.exists() for p in stale)
    assert (tmp_path / "new" / "timeseries.csv").read_bytes() == (a / "timeseries.csv").read_bytes() == (runs / "A" / "timeseries.csv").read_bytes()
    with h5py.File(tmp_path / "new" / "checkpoints" / "step_0000000008.h5", "r") as f, h5py.File(a / "checkpoints" / "step_0000000008.h5", "r") as g:
        assert f.attrs["run_id"] != g.attrs["run_id"]
        np.testing.assert_array_equal(f["pools/walker/pos"][()], g["pools/walker/pos"][()])
