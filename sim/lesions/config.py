"""Config section ``lesions:``: how tumour lesions are measured.
Optional: measuring runs whenever a tumour pool exists, with these defaults."""

from __future__ import annotations

from pydantic import Field

from alveosim.config.sections import Section
from alveosim.config.types import Length, StrictModel


class LesionsConfig(StrictModel):
    """Lesions are connected clusters of tumour cells; macrophages are counted
    in a lesion when within its sphere-equivalent radius plus ``margin``."""

    link_factor: float = Field(default=1.2, gt=0, le=5, description="two tumour cells are linked when their centres are closer than link_factor * (r_i + r_j)")
    min_cells: int = Field(default=1, ge=1, description="clusters with fewer cells are not lesions (not counted as foci, not in the area)")
    margin: Length = Field(default=15.0, ge=0, description="beyond the lesion radius within which macrophages count as in the lesion (~one AM diameter; calibrated assumption)")
    rim_fraction: float = Field(default=0.7, gt=0, lt=1, description="lesion TRMs farther than rim_fraction * R_lesion from the centroid are at the rim, the others in the core")


SECTIONS = (Section("lesions", LesionsConfig),)  # defaults when absent
