"""A corpus of bad configs and ``--set`` overrides: each is refused by
``validate`` and by ``run`` with exit status 2, one line that names the key
path and its line (or the ``--set``), no traceback, and nothing written."""

import subprocess
import sys
from pathlib import Path

import pytest

from alveosim.cli import main

from builders import EXTENSION_LINE

REPO = Path(__file__).resolve().parents[1]
PANCREATIC = REPO / "configs" / "pancreatic.yaml"

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
output:
  timeseries_every: 10
  checkpoint_keep: 3
""" + EXTENSION_LINE
# key path -> (line in WALKERS, the value as written there)
LEAVES = {
    "domain.voxel": (6, "2.5 um"),
    "species.walker.radius": (10, "5 um"),
    "species.walker.diffusivity": (11, "0.5 um^2/s"),
    "species.walker.division_rate": (12, "1 1/h"),
    "species.walker.death_rate": (13, "0.5 1/d"),
}
UNIT = {"domain.voxel": "um", "species.walker.radius": "um", "species.walker.diffusivity": "um^2/s",
        "species.walker.division_rate": "1/h", "species.walker.death_rate": "1/d"}
BAD_QUANTITIES = ["1e999 {u}", ".inf", ".nan", "2,5 {u}", "9**9**9 {u}", "inf {u}", "1 {u}^99", "x {u}", "true", "[1, {u}]"]


def _cases():
    cases = []
    # a bad value written in the file: named by file line and key path
    for key, (line, given) in LEAVES.items():
        for bad in BAD_QUANTITIES:
            value = bad.format(u=UNIT[key])
            cases.append(pytest.param("text", (f": {given}", f": {value}"), [f"c.yaml:{line}", key], id=f"file-{key}-{value}"))
    # the same through --set: named by the --set
    for key in LEAVES:
        for bad in BAD_QUANTITIES[:6]:
            value = bad.format(u=UNIT[key])
            cases.append(pytest.param("set", [f"{key}={value}"], [f"--set {key}"], id=f"set-{key}-{value}"))
    odd_units = {"phases.0.duration": ["1 dday", "1 /dday", "2 kday", "1 um", "1 h h", "1 9**9 s", "1e6 /uL"],
                 "phases.0.dt": ["1 ddays", "-1 min", "0 s", "2 h"]}
    for key, values in odd_units.items():
        for value in values:
            cases.append(pytest.param("set", [f"{key}={value}"], [f"--set {key}"], id=f"unit-{key}-{value}"))
    paths = {
        "seed.x=1": "--set seed.x", "name.y.z=2": "--set name.y.z", "phases.5.dt=1 s": "--set phases.5.dt",
        "phases.first.dt=1 s": "--set phases.first.dt", "phases.-1.dt=1 s": "--set phases.-1.dt",
        "phases..dt=1 s": "--set phases..dt", "name=[unclosed": "--set name", "name={a: ": "--set name",
        "domain.size.7=1 um": "--set domain.size.7", "species.walker.count.x=1": "--set species.walker.count.x",
        "noequals": "--set noequals", "=5": "--set ", "output.timeseries_every.0=1": "--set output.timeseries_every.0",
        "domain.size.x=1 um": "--set domain.size.x", "phases.0.name.first=b": "--set phases.0.name.first",
        "nosuchsection.key=1": "--set nosuchsection.key", "domain.voxle=2 um": "--set domain.voxle",
        "name=&a [*a]": "--set name", "seed=1.5": "--set seed", "seed=-1": "--set seed", "seed=18446744073709551616": "--set seed",
    }
    for item, named in paths.items():
        cases.append(pytest.param("set", [item], [named], id=f"path-{item}"))
    bounds = {
        "domain.size=[1 m, 1 m, 1 m]": "--set domain.size", "domain.voxel=1 nm": "--set domain.voxel",
        "phases.0.duration=1e9 d": "--set phases.0.duration", "phases.0.dt=1 fs": "--set phases.0.dt",
        "output.timeseries_every=100000000000": "--set output.timeseries_every", "species.walker.count=1000000000000": "--set species.walker.count",
        "species.walker.capacity=1000000000000000": "--set species.walker.capacity", "output.checkpoint_keep=1000000000000": "--set output.checkpoint_keep",
        "species.walker.crowding_limit=99999999999": "--set species.walker.crowding_limit", "domain.size=[1e300 um, 1 um, 1 um]": "--set domain.size",
    }
    for item, named in bounds.items():
        cases.append(pytest.param("set", [item], [named], id=f"bound-{item}"))
    # structure of the YAML text itself: named by file line
    structure = {
        "dup-top": ("seed: 3\n", "seed: 3\nseed: 4\n", ["c.yaml:3", "duplicate key 'seed'", "line 2"]),
        "dup-nested": ("    count: 100\n", "    count: 100\n    count: 200\n", ["c.yaml:10", "species.walker.count"]),
        "dup-section": ("output:\n", "domain: {}\noutput:\n", ["c.yaml:16", "duplicate key 'domain'"]),
        "unclosed": ("[100 um, 100 um, 50 um]", "[100 um, 100 um, 50 um", ["c.yaml:", "invalid YAML"]),
        "tab-indent": ("    count: 100\n", "\t count: 100\n", ["c.yaml:9", "invalid YAML"]),
        "top-list": ("name: t\n", "- name: t\n", ["c.yaml:", "invalid YAML"]),
        "nan-seed": ("seed: 3", "seed: .nan", ["c.yaml:2", "seed"]),
        "inf-count": ("count: 100", "count: .inf", ["c.yaml:9", "species.walker.count"]),
        "missing-domain": ("domain:\n  size: [100 um, 100 um, 50 um]\n  voxel: 2.5 um\n", "", ["c.yaml", "domain"]),
        "alias-self": ("name: t", "name: &n [*n]", ["c.yaml:1"]),
        "odd-tag": ("name: t", "name: !!python/object:os.system ls", ["c.yaml:1", "invalid YAML"]),
    }
    for name, (old, new, named) in structure.items():
        cases.append(pytest.param("text", (old, new), named, id=f"yaml-{name}"))
    return cases


CASES = _cases()
assert len(CASES) >= 100


def _files(folder: Path) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*")}


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _check(tmp_path, monkeypatch, capsys, config: Path, overrides: list[str], named: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    before = _files(tmp_path)
    sets = [a for o in overrides for a in ("--set", o)]
    for command in (["validate"], ["run", "--no-progress", "--out", str(tmp_path / "out")]):
        assert main([command[0], str(config), *sets, *command[1:]]) == 2
        line = _one_line(capsys.readouterr().err)
        for text in named:
            assert text in line, line
    assert _files(tmp_path) == before  # nothing written


@pytest.mark.parametrize("kind, change, named", CASES)
def test_bad_config_refused_in_one_line(tmp_path, monkeypatch, capsys, kind, change, named):
    text = WALKERS
    overrides = []
    if kind == "text":
        old, new = change
        assert old in text
        text = text.replace(old, new, 1)
    else:
        overrides = change
    config = tmp_path / "c.yaml"
    config.write_text(text)
    _check(tmp_path, monkeypatch, capsys, config, overrides, named)


CROSS = {
    "lattice=null": ["pancreatic.yaml:32", "macrophages", "lattice"],
    "fields.named.cxcl13.plasma=nope": ["--set fields.named.cxcl13.plasma", "'nope'"],
    "plasma.cxcl13.unit=nM": ["pancreatic.yaml:22", "fields.named.cxcl13.plasma", "nM"],
    "blood.platelets.density=1e15 /uL": ["--set blood.platelets.density", "agents"],
    "sev_pool.organ_im_count=.inf": ["--set sev_pool.organ_im_count", "finite"],
    "macrophages.hill_coefficient=.inf": ["--set macrophages.hill_coefficient", "finite"],
    "antibody={kd: 1 nM}": ["--set antibody", "antibody.compartment", "'antibody'"],
    "fields=null": ["pancreatic.yaml:", "macrophages", "cxcl13"],
    "sev_pool.initial=1e20 /mL": ["--set sev_pool.initial", "agents"],
    "blood.vesicles.plasma_concentration=1e20 /mL": ["--set blood.vesicles.plasma_concentration", "agents"],
}


@pytest.mark.parametrize("override, named", list(CROSS.items()), ids=list(CROSS))
def test_cross_section_problems_refused_before_anything_runs(tmp_path, monkeypatch, capsys, override, named):
    _check(tmp_path, monkeypatch, capsys, PANCREATIC, [override], named)


def _write_bytes(tmp_path, data: bytes) -> Path:
    path = tmp_path / "c.yaml"
    path.write_bytes(data)
    return path


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("data, named", [
    pytest.param(WALKERS.replace("name: t", "name: t\xe9").encode("latin-1"), ["c.yaml:1", "not UTF-8", "offset 7"], id="latin-1"),
    pytest.param(WALKERS.encode() + b"\xff\xfe\n", ["c.yaml:20", "not UTF-8", f"offset {len(WALKERS)}"], id="trailing-bytes"),
    pytest.param(BOMB.encode(), ["c.yaml:", "aliases expand"], id="billion-laughs"),
    pytest.param(("a: " + "[" * 5000 + "]" * 5000 + "\n").encode(), ["c.yaml:1", "nested more than"], id="deep-flow"),
    pytest.param(("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 200))).encode(), ["c.yaml:", "nested more than"], id="deep-block"),
    pytest.param(b"x" * (2 << 20), ["c.yaml", "bytes"], id="too-large"),
    pytest.param(b"", ["c.yaml", "mapping"], id="empty"),
])
def test_hostile_files_refused_in_one_line(tmp_path, monkeypatch, capsys, data, named):
    _check(tmp_path, monkeypatch, capsys, _write_bytes(tmp_path, data), [], named)


@pytest.mark.parametrize("args, named", [
    (["--set", "seed.x=1"], "--set seed.x"),
    (["--set", "phases.0.duration=1 dday"], "--set phases.0.duration"),
    (["--set", "domain.size=[1 m, 1 m, 1 m]"], "--set domain.size"),
])
def test_refused_in_a_fresh_process_without_traceback(tmp_path, args, named):
    """The command line as a user runs it: exit 2, one line on stderr."""
    config = tmp_path / "c.yaml"
    config.write_text(WALKERS)
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(config), *args, "--out", str(tmp_path / "out")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert named in _one_line(proc.stderr)
    assert not (tmp_path / "out").exists()


def test_run_size_limits_ask_for_force(tmp_path, monkeypatch, capsys):
    """A millisecond step over hours (a unit slip) is refused with the numbers;
    --force lets validate through."""
    config = tmp_path / "c.yaml"
    config.write_text(WALKERS)
    monkeypatch.chdir(tmp_path)
    slip = ["--set", "phases.0.duration=6 h", "--set", "phases.0.dt=1 ms"]
    assert main(["validate", str(config), *slip]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "21,600,000 steps" in line and "a 21,600,000" in line and "--force" in line
    assert main(["run", str(config), *slip, "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
    capsys.readouterr()
    assert main(["validate", str(config), *slip, "--force"]) == 0
    files = ["--set", "output.snapshot_every=1", "--set", "phases.0.duration=100 h"]
    assert main(["validate", str(config), *files]) == 2
    assert "files" in _one_line(capsys.readouterr().err)


def test_shipped_configs_pass_the_run_size_limits(capsys):
    for path in sorted((REPO / "configs").glob("*.yaml")):
        assert main(["validate", str(path)]) == 0, capsys.readouterr().err
