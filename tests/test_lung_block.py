"""configs/lung_block.yaml: a cubic millimetre of mouse lung at 2.5 µm voxels
with physiological densities, and its documented smaller and larger sizes."""

import pytest

from alveosim import resources
from alveosim.config import ConfigError, load_config

CONFIG = "configs/lung_block.yaml"


def expected_counts(cfg) -> tuple[float, float, float]:
    """(platelets, sEVs at the pancreatic plasma level, IMs) the block holds."""
    blood, septum, _ = resources.lattice_fractions(cfg.lattice)
    volume = cfg.domain.size[0] * cfg.domain.size[1] * cfg.domain.size[2]
    sev_per_um3 = 2e9 / 1e12  # 2e9 /mL plasma sEV-beta2 at pancreatic CXCL13
    return cfg.blood.platelets.density * blood * volume, sev_per_um3 * blood * volume, cfg.macrophages.density * septum * volume


def test_block_is_a_cubic_millimetre_at_physiological_densities():
    cfg = load_config(CONFIG)
    n = cfg.domain.shape[0] * cfg.domain.shape[1] * cfg.domain.shape[2]
    assert cfg.domain.voxel == 2.5 and n >= 6e7
    assert cfg.domain.size[0] * cfg.domain.size[1] * cfg.domain.size[2] == pytest.approx(1e9)
    platelets, sevs, ims = expected_counts(cfg)
    assert 1e5 <= platelets <= 3e5 and 1e5 <= sevs <= 6e5 and 5e3 <= ims <= 3e4
    assert cfg.blood.platelets.capacity >= platelets and cfg.blood.vesicles.capacity >= sevs
    assert cfg.macrophages.density <= 1e-3 / 10  # far below the boosted small-box density
    assert [p.clock for p in cfg.phases] == ["tissue", "blood"]
    assert cfg.phases[0].duration == 14 * 86400 and cfg.phases[1].duration == 2.0


@pytest.mark.parametrize("edge, volume_mm3", [("464 um", 0.1), ("2 mm", 8.0)])
def test_documented_sizes(edge, volume_mm3):
    cfg = load_config(CONFIG, [f"domain.size=[{edge}, {edge}, {edge}]"])
    assert cfg.domain.size[0] ** 3 / 1e9 == pytest.approx(volume_mm3, rel=0.01)
    platelets, _, ims = expected_counts(cfg)
    assert platelets / volume_mm3 == pytest.approx(expected_counts(load_config(CONFIG))[0], rel=0.01)
    assert resources.estimate(cfg).voxels == round(cfg.domain.size[0] / 2.5) ** 3


def test_64_cubic_millimetres_exceed_the_32_bit_voxel_index():
    with pytest.raises(ConfigError, match="at most 2,147,483,647"):
        load_config(CONFIG, ["domain.size=[4 mm, 4 mm, 4 mm]"])
