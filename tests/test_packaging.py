"""Packaging: one import package (alveosim), configs shipped as package data,
an SPDX licence, and a wheel that runs the quickstart from an empty directory."""

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

from alveosim.config.shipped import resolve_config_path, shipped_names

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LAYOUT = {"alveosim": "sim", "alveosim.kernels": "kernels", "alveosim.benchmarks": "benchmarks",
          "alveosim.configs": "configs", "alveosim.examples": "examples"}


def test_every_package_is_declared_under_alveosim_only():
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == LAYOUT
    on_disk = set()
    for name, folder in LAYOUT.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            on_disk.add(".".join([name, *init.parent.relative_to(ROOT / folder).parts]))
    assert set(setuptools["packages"]) == on_disk
    assert {p.split(".")[0] for p in setuptools["packages"]} == {"alveosim"}


def test_licence_is_an_spdx_string_with_its_file():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_configs_are_found_by_name_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert "quickstart" in shipped_names()
    assert resolve_config_path("quickstart").read_text() == (ROOT / "configs/quickstart.yaml").read_text()
    assert resolve_config_path("quickstart.yaml").name == "quickstart.yaml"
    (tmp_path / "quickstart.yaml").write_text("name: mine\n")
    assert resolve_config_path("quickstart") != tmp_path / "quickstart.yaml"   # a bare name without .yaml is shipped
    assert resolve_config_path("quickstart.yaml") == Path("quickstart.yaml")   # an existing file wins
    assert resolve_config_path("nope") == Path("nope")


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_the_quickstart_from_an_empty_directory(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                   check=True)
    (wheel,) = wheels.glob("alveosim-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # the dependencies come from this environment's site-packages, added as a
    # plain path (its .pth files, the editable install among them, are not run)
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    work = tmp_path / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}}
    listing = subprocess.run([python, "-c", "import alveosim, sys; print(alveosim.__file__)"], cwd=work,
                             env=env, capture_output=True, text=True, check=True)
    assert str(env_dir) in listing.stdout
    for generic in ("sim", "kernels", "benchmarks", "configs", "examples"):
        assert not (Path(listing.stdout.strip()).parent.parent / generic).exists()
    run = subprocess.run([env_dir / "bin" / "alveosim", "run", "quickstart", "--out", "out", "--no-progress",
                          "--set", "phases.0.duration=2 h", "--set", "phases.1.duration=0.5 s"],
                         cwd=work, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (work / "out" / "timeseries.csv").exists()
    walkers = subprocess.run([env_dir / "bin" / "alveosim", "validate", "walkers"], cwd=work, env=env, capture_output=True, text=True)
    assert walkers.returncode == 0, walkers.stderr  # the walker example loads as an extension from the wheel
    assert "alveosim.examples.walker.feature" in walkers.stdout


def test_examples_import_from_the_repository_as_alveosim_examples():
    found = subprocess.run([sys.executable, "-c", "import alveosim.examples.walker.feature as m; print(m.__file__)"], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    assert Path(found.stdout.strip()).resolve() == ROOT / "examples" / "walker" / "feature.py"
