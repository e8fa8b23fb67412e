"""Configs: units, strictness, ranges, every error with its line, overrides, hash."""

from pathlib import Path

import pytest

from alveosim.cli import main
from alveosim.config import ConfigError, config_hash, load_config, resolved_yaml

from builders import EXTENSION_LINE

ROOT = Path(__file__).resolve().parents[1]
GOOD = """\
name: t
seed: 3
domain:
  size: [100 um, 0.1 mm, 50 um]
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


def write(tmp_path, text, name="c.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_quantities_convert_to_canonical_units(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.domain.size == [100.0, 100.0, 50.0]
    assert cfg.species.walker.division_rate == pytest.approx(1 / 3600)
    assert cfg.species.walker.death_rate == pytest.approx(0.5 / 86400)
    assert cfg.phases[0].duration == 3600.0 and cfg.phases[0].n_steps == 60
    assert cfg.domain.shape == (40, 40, 20)


def test_all_three_problems_reported_with_lines(tmp_path):
    bad = GOOD.replace("  voxel: 2.5 um", "  voxle: 2.5 um").replace("radius: 5 um", "radius: 5 kg").replace("count: 100", "count: -4")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad))
    problems = err.value.problems
    assert len(problems) == 3
    text = "\n".join(problems)
    assert "c.yaml:5 domain.voxle: unknown key" in text
    assert "c.yaml:8 species.walker.count" in text and "greater than or equal to 0" in text
    assert "c.yaml:9 species.walker.radius" in text and "[mass]" in text


@pytest.mark.parametrize("value", ['"100"', "true", "100.5"])
def test_integers_are_strict(tmp_path, value):
    with pytest.raises(ConfigError, match="species.walker.count"):
        load_config(write(tmp_path, GOOD.replace("count: 100", f"count: {value}")))


def test_bare_number_for_a_dimensional_value_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="bare number"):
        load_config(write(tmp_path, GOOD.replace("radius: 5 um", "radius: 5")))


def test_override_is_validated_and_named(tmp_path):
    path = write(tmp_path, GOOD)
    cfg = load_config(path, ["species.walker.count=7", "domain.voxel=5 um"])
    assert cfg.species.walker.count == 7 and cfg.domain.voxel == 5.0
    with pytest.raises(ConfigError, match=r"--set species.walker.radius species.walker.radius"):
        load_config(path, ["species.walker.radius=3 s"])


def test_resolved_config_round_trips_and_hash_is_stable(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    again = load_config(write(tmp_path, resolved_yaml(cfg), "r.yaml"))
    assert again.model_dump() == cfg.model_dump()
    assert config_hash(again) == config_hash(cfg)
    assert config_hash(load_config(write(tmp_path, GOOD), ["seed=4"])) != config_hash(cfg)


def test_phase_dt_longer_than_duration_rejected(tmp_path):
    with pytest.raises(ConfigError, match="longer than the phase"):
        load_config(write(tmp_path, GOOD.replace("dt: 1 min", "dt: 2 h")))


def test_validate_command_exit_codes(tmp_path, capsys):
    assert main(["validate", str(write(tmp_path, GOOD))]) == 0
    assert "config hash" in capsys.readouterr().out
    bad = GOOD.replace("  voxel: 2.5 um", "  voxle: 2.5 um")
    assert main(["validate", str(write(tmp_path, bad))]) == 2
    assert "domain.voxle" in capsys.readouterr().err


def test_shipped_configs_validate():
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        load_config(path)


def test_shipped_sweep_files_validate_every_member():
    from alveosim.sweep.members import build_members
    from alveosim.sweep.spec import SweepFile

    paths = sorted((ROOT / "configs" / "sweeps").glob("*.yaml"))
    assert paths
    for path in paths:
        sweep = SweepFile(path)
        members = build_members(sweep)
        assert len(members) >= 2
        assert [m.error for m in members if m.error] == []


def test_walker_sections_come_from_the_extension_only(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(GOOD.replace(EXTENSION_LINE, ""))
    with pytest.raises(ConfigError, match=r"c.yaml:6 species: unknown key"):
        load_config(path)
    path.write_text(GOOD.replace(EXTENSION_LINE, "extensions: [alveosim.examples.nope]\n"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "c.yaml:15 extensions.0: cannot import the extension 'alveosim.examples.nope'" in str(err.value)
    path.write_text(GOOD.replace(EXTENSION_LINE, "extensions: [alveosim.config.types]\n"))
    with pytest.raises(ConfigError, match="'alveosim.config.types' is not a feature module"):
        load_config(path)
