"""The ``lattice:`` config section: lung geometry (alveoli as Voronoi cells, septa, capillary sheets) by species
preset with overrides, and the capillary flow settings (``lattice.flow``).

The voxel edge and the domain size are the ``domain`` section's. Keys left
out of ``lattice`` (and of ``lattice.flow``) take the preset's value; the
preset values are calibrated assumptions, each with its target below.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from alveosim.config.sections import Section
from alveosim.config.types import Length, Speed, StrictModel, Viscosity

# Preset values as quantity strings (parsed like a config file's).
PRESETS: dict[str, dict] = {
    "mouse": {
        # calibrated assumption: adult mouse 50-80 um (Hoang 2018 ~47 um at P14)
        "alveolar_diameter": "60 um",
        # calibrated assumption: septal wall 5-10 um, capillary sheet 5-8 um, posts ~10 um apart,
        # chosen so capillary lumen is ~45 % of septal volume (PARAMETERS.md: 40-50 %)
        "septal_thickness": "10 um",
        "capillary_thickness": "5 um",
        "post_spacing": "10 um",  # posts cover ~13 % of the sheet (Fung & Sobin: vascular/tissue ratio ~0.9)
        "post_radius": "2 um",
        "jitter": 0.6,
        "flow": {
            "mean_speed": "1 mm/s",  # Looney 2011 Nat Methods: ~1 mm/s in mouse lung capillaries
            "viscosity": "3.5 mPa*s",  # calibrated assumption: apparent blood viscosity in capillaries
            "acinar_path": "500 um",  # calibrated assumption: arteriole-to-venule capillary path, mouse
        },
    },
    "human": {
        "alveolar_diameter": "200 um",  # Ochs 2004: ~200 um (derived)
        "septal_thickness": "10 um",  # calibrated assumption, as for mouse
        "capillary_thickness": "5 um",  # calibrated assumption: Fung & Sobin sheet 5-7 um; lumen ~45 % of septum
        "post_spacing": "10 um",
        "post_radius": "2 um",
        "jitter": 0.6,
        "flow": {
            "mean_speed": "1 mm/s",  # calibrated assumption: transit ~0.75 s at rest (West)
            "viscosity": "3.5 mPa*s",
            "acinar_path": "750 um",  # calibrated assumption: 0.75 s x ~1 mm/s
        },
    },
}


class FlowConfig(StrictModel):
    """Capillary blood flow: Darcy/Hele-Shaw pressure solve between the
    arteriolar inlet face and the venular outlet face along ``axis``."""

    axis: Literal["x", "y", "z"] = "x"
    mean_speed: Speed = Field(gt=0, description="mean blood speed over conducting voxels, um/s")
    viscosity: Viscosity = Field(gt=0, description="apparent blood viscosity, Pa s")
    acinar_path: Length = Field(gt=0, description="capillary path length of one acinus, for the transit time, um")
    tolerance: float = Field(default=1e-10, gt=0, lt=1, description="CG stop: ||r|| <= tolerance * ||r0 at zero start||")
    max_iterations: int = Field(default=50000, ge=1)
    preconditioner: Literal["amg", "jacobi"] = Field(
        default="amg", description="CG preconditioner: algebraic multigrid (pyamg) or Jacobi (diagonal)")

    @property
    def axis_index(self) -> int:
        return "xyz".index(self.axis)


class LatticeConfig(StrictModel):
    """Lung parenchyma as a Voronoi foam of alveoli with capillary sheets
    in the septa (lengths in um)."""

    species: Literal["mouse", "human"] = "mouse"
    alveolar_diameter: Length = Field(gt=0, description="target mean equivalent-sphere diameter of alveolar airspaces")
    septal_thickness: Length = Field(gt=0)
    capillary_thickness: Length = Field(gt=0, description="thickness of the capillary sheet in the septum's mid-layer")
    post_spacing: Length = Field(gt=0, description="spacing of the square lattice of tissue posts in the sheet")
    post_radius: Length = Field(ge=0)
    jitter: float = Field(ge=0, le=1, description="seed displacement as a fraction of the seed spacing")
    flow: FlowConfig

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data):
        if not isinstance(data, dict):
            return data
        preset = PRESETS.get(data.get("species", "mouse"))
        if preset is None:
            return data  # the Literal check reports the bad species
        merged = {**{k: v for k, v in preset.items() if k != "flow"}, **data}
        flow = data.get("flow", {})
        merged["flow"] = {**preset["flow"], **flow} if isinstance(flow, dict) else flow
        return merged

    @model_validator(mode="after")
    def _check(self):
        if self.capillary_thickness >= self.septal_thickness:
            raise ValueError(
                f"capillary_thickness ({self.capillary_thickness} um) must be less than septal_thickness ({self.septal_thickness} um)"
            )
        if 2 * self.post_radius >= self.post_spacing:
            raise ValueError(f"posts of radius {self.post_radius} um overlap at spacing {self.post_spacing} um")
        if self.septal_thickness >= 0.5 * self.alveolar_diameter:
            raise ValueError(f"septal_thickness ({self.septal_thickness} um) is too large for alveoli of {self.alveolar_diameter} um")
        return self


SECTIONS = (Section("lattice", LatticeConfig),)  # lung geometry and capillary flow
