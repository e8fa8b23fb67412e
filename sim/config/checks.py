"""Checks of a validated config that span sections or bound sizes, so that
every config a run would refuse (or overflow on) is refused by ``validate``
and before ``run`` creates anything.

Each problem is ``{"loc": key path, "msg": text}`` (the shape of pydantic's
errors, so the loader names the YAML line of the key path).
"""

from __future__ import annotations

import math

MAX_INT = 2**31 - 1  # every integer setting but the seed (counts, capacities, intervals)
MAX_VOXELS = 2**31 - 1  # flat voxel indices are 32-bit in kernels
MAX_AGENTS = 2**31 - 1  # agents a density puts in the domain
MAX_PHASE_S = 100 * 365.25 * 86400.0  # a century of simulated time per phase
MAX_PHASE_STEPS = 10**12


def cross_section_problems(cfg) -> list[dict]:
    """Every problem of ``cfg`` that a single section's model cannot see."""
    problems: list[dict] = []

    def problem(loc: tuple, msg: str) -> None:
        problems.append({"loc": loc, "msg": msg, "type": "cross_section"})

    _integers(cfg.model_dump(), (), problem)
    _sizes(cfg, problem)
    _links(cfg, problem)
    return problems


def _integers(data, path: tuple, problem) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            _integers(v, path + (k,), problem)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _integers(v, path + (i,), problem)
    elif isinstance(data, int) and not isinstance(data, bool) and path != ("seed",) and abs(data) > MAX_INT:
        problem(path, f"{data} is beyond the largest accepted integer {MAX_INT:,}")


def _sizes(cfg, problem) -> None:
    d = cfg.domain
    voxels = math.prod(s / d.voxel for s in d.size)
    if voxels > MAX_VOXELS:
        problem(("domain",), f"{voxels:.3g} voxels of {d.voxel} um; at most {MAX_VOXELS:,}")
    for i, phase in enumerate(cfg.phases):
        if phase.duration > MAX_PHASE_S:
            problem(("phases", i, "duration"), f"{phase.duration:.3g} s is more than a century")
        elif phase.duration / phase.dt > MAX_PHASE_STEPS:
            problem(("phases", i, "dt"), f"{phase.duration / phase.dt:.3g} steps in the phase; at most {MAX_PHASE_STEPS:.0e}")
    volume = math.prod(cfg.domain.size)
    densities = []
    if cfg.blood is not None:
        densities += [(("blood", "platelets", "density"), cfg.blood.platelets.density),
                      (("blood", "vesicles", "plasma_concentration"), cfg.blood.vesicles.plasma_concentration)]
    if cfg.sev_pool is not None:
        densities.append((("sev_pool", "initial"), cfg.sev_pool.initial))
    if cfg.macrophages is not None:
        densities.append((("macrophages", "density"), cfg.macrophages.density))
    for loc, density in densities:
        if density * volume > MAX_AGENTS:
            problem(loc, f"{density:.3g} per um^3 puts {density * volume:.3g} agents in the domain; at most {MAX_AGENTS:,}")


def _links(cfg, problem) -> None:
    """What one section needs from another (lattice, fields, plasma compartments)."""
    from alveosim.fields.config import plasma_link_problems

    fields = sorted(cfg.fields.named) if cfg.fields is not None else []
    for loc, msg in plasma_link_problems(cfg.fields, cfg.plasma):
        problem(loc, msg)
    if cfg.macrophages is not None:
        if cfg.lattice is None:
            problem(("macrophages",), "needs the lung lattice (a 'lattice:' section) to place IMs in septal voxels")
        if "cxcl13" not in fields:
            problem(("macrophages",), f"needs a 'cxcl13' field in fields.named to reprogram IMs; declared: {fields}")
    if cfg.alveolar_macrophages is not None:
        from alveosim.alveolar.feature import required_fields

        if cfg.lattice is None:
            problem(("alveolar_macrophages",), "needs the lung lattice (a 'lattice:' section) to place TRMs on the alveolar surface")
        for name, why in required_fields(cfg.alveolar_macrophages):
            if name not in fields:
                problem(("alveolar_macrophages",), f"needs a '{name}' field in fields.named ({why}); declared: {fields}")
    if cfg.primary_tumour is not None and "cxcl13" not in cfg.plasma:
        problem(("primary_tumour",), f"needs a 'cxcl13' plasma compartment (the 'plasma:' section); declared: {sorted(cfg.plasma)}")
    if cfg.antibody is not None and cfg.antibody.compartment not in cfg.plasma:
        problem(("antibody", "compartment"), f"no plasma compartment {cfg.antibody.compartment!r}; declared: {sorted(cfg.plasma)}")
    gpib = cfg.blood.injury.anti_gpib if cfg.blood is not None and cfg.blood.injury is not None else None
    if gpib is not None and gpib.compartment not in cfg.plasma:
        problem(("blood", "injury", "anti_gpib", "compartment"), f"no plasma compartment {gpib.compartment!r}; declared: {sorted(cfg.plasma)}")
    from alveosim.blood.windows import window_problems

    for loc, msg in window_problems(cfg):
        problem(loc, msg)
    from alveosim.ctc.feature import problems as ctc_problems

    for msg in ctc_problems(cfg):
        problem(("ctc",), msg)
    if cfg.tumour is not None:
        from alveosim.tumour.feature import phase_problems
        from alveosim.tumour.lifecycle import required_fields as tumour_fields

        for name, setting, why in tumour_fields(cfg.tumour):
            if name not in fields:
                problem(("tumour", setting), f"> 0 needs the field '{name}' ({why}), which fields.named does not declare; declared: {fields}")
        for i, msg in phase_problems(cfg.phases, cfg.tumour):
            problem(("phases", i, "dt"), msg)
