"""Output paths never destroy: ``--overwrite`` replaces only a run directory
alveosim made; the current, home and root directories, files in the way and
unwritable places are refused in one line (exit 2) before anything runs."""

import os
from pathlib import Path

import pytest

from alveosim.cli import main
from alveosim.rundir import MARKER, RunDirError, plan_run_dir, read_marker

from builders import EXTENSION_LINE

CONFIG = """\
name: out
backend: cpu
domain: {size: [20 um, 20 um, 20 um], voxel: 2.5 um}
species:
  walker: {count: 10, radius: 2 um, diffusivity: 0.05 um^2/s, division_rate: 1e-4 1/s, death_rate: 1e-4 1/s}
phases:
  - {name: a, clock: tissue, duration: 2 min, dt: 1 min}
output: {progress: false}
""" + EXTENSION_LINE


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "c.yaml"
    path.write_text(CONFIG)
    return path


def _run(config, *args) -> int:
    return main(["run", str(config), "--no-progress", *args])


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_overwrite_replaces_only_a_run_directory(config, tmp_path, capsys):
    assert _run(config, "--out", "r") == 0
    first = read_marker(tmp_path / "r")
    assert first is not None and (tmp_path / "r" / "timeseries.csv").exists()
    (tmp_path / "r" / "left-over").write_text("x")
    assert _run(config, "--out", "r", "--overwrite") == 0
    second = read_marker(tmp_path / "r")
    assert second["run_id"] != first["run_id"] and not (tmp_path / "r" / "left-over").exists()
    assert plan_run_dir(tmp_path, "r") == tmp_path / "r-1"  # taken, no --overwrite: a new directory beside it


def test_overwrite_refuses_a_folder_alveosim_did_not_make(config, tmp_path, capsys):
    user = tmp_path / "thesis"
    user.mkdir()
    (user / "chapter1.tex").write_text("precious")
    assert _run(config, "--out", str(user), "--overwrite") == 2
    assert "not a run directory made by alveosim" in _one_line(capsys)
    assert (user / "chapter1.tex").read_text() == "precious" and sorted(user.iterdir()) == [user / "chapter1.tex"]


@pytest.mark.parametrize("where, why", [(".", "current directory"), ("..", "one above it"), ("home", "home directory"), ("/", "root directory")])
def test_current_home_and_root_directories_are_refused(config, tmp_path, capsys, monkeypatch, where, why):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for folder in (tmp_path, home):
        (folder / MARKER).write_text('{"run_id": "x"}')  # even one that looks like a run directory
    before = sorted(tmp_path.rglob("*"))
    assert _run(config, "--out", str(home) if where == "home" else where, "--overwrite") == 2
    line = _one_line(capsys)
    assert why in line and "name a new run directory" in line
    assert sorted(tmp_path.rglob("*")) == before


def test_a_file_in_the_way_is_refused(config, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    for out in ("afile", "afile/run"):
        assert _run(config, "--out", out) == 2
        assert "is a file" in _one_line(capsys)
    assert (tmp_path / "afile").read_text() == "x"


def test_an_unwritable_place_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path / "ro")
    (tmp_path / "ro").mkdir()
    with pytest.raises(RunDirError, match="cannot write in"):
        plan_run_dir(tmp_path / "ro" / "deeper", "run")
