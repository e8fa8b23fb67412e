"""``alveosim validate`` prints valid YAML, whatever the terminal, in the
units the config used, and that output validates to the same hash."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from alveosim.config import config_hash, load_config
from alveosim.config.display import display_yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_display_yaml_reloads_to_the_same_config(path, tmp_path):
    cfg = load_config(path)
    again = tmp_path / "resolved.yaml"
    again.write_text(display_yaml(cfg))
    assert config_hash(load_config(again)) == config_hash(cfg)


def test_display_keeps_the_units_given_and_fills_defaults():
    cfg = load_config(ROOT / "configs" / "quickstart.yaml", ["macrophages.shedding_reach=0.01 mm"])
    shown = yaml.safe_load(display_yaml(cfg))
    assert shown["macrophages"]["reprogramming_rate"] == "0.5 /d"
    assert shown["macrophages"]["shedding_reach"] == "0.01 mm"  # an override as given
    assert shown["phases"][0]["duration"] == "4 d"
    assert shown["output"]["checkpoint_keep"] == 3
    assert "cxcl13_uptake_rate" in shown["macrophages"]  # a default, shown resolved


def validate(*args, columns="40"):
    env = dict(os.environ, COLUMNS=columns, TERM="dumb")
    return subprocess.run([sys.executable, "-m", "sim", "validate", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)


def test_validate_output_is_yaml_that_validates_to_the_same_hash(tmp_path):
    first = validate("configs/quickstart.yaml")
    assert first.returncode == 0, first.stderr
    assert all(len(line) < 200 for line in first.stdout.splitlines())
    data = yaml.safe_load(first.stdout)  # valid YAML even on a narrow, non-terminal stdout
    assert data["name"] == "quickstart"
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(first.stdout)
    second = validate(str(resolved))
    assert second.returncode == 0, second.stderr
    hash_line = first.stdout.splitlines()[0]
    assert hash_line.startswith("# config hash: ") and second.stdout.splitlines()[0] == hash_line
    assert config_hash(load_config(ROOT / "configs" / "quickstart.yaml")) in hash_line
