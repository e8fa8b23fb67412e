"""Config builders the tests share: the walker example's run data (a small
box of walkers on the tissue clock, loaded through ``extensions``) and its
YAML line."""

from __future__ import annotations

WALKER_EXTENSION = "alveosim.examples.walker.feature"
EXTENSION_LINE = f"extensions: [{WALKER_EXTENSION}]\n"  # appended to a YAML config of walkers (line numbers unchanged)


def phase_data(name: str, duration: str, dt: str, clock: str = "tissue") -> dict:
    """One phase of a config, as data."""
    return {"name": name, "clock": clock, "duration": duration, "dt": dt}


def walker_data(name: str, seed: int, count: int, phases: list[dict], size=("30 um", "30 um", "30 um"), division_rate="2e-3 1/s",
                death_rate="1e-3 1/s", crowding_limit: int | None = None, output: dict | None = None) -> dict:
    """Config data of walkers on the CPU backend (2.5 µm voxels); ``output``
    as given (absent when None)."""
    walker = {"count": count, "radius": "2 um", "diffusivity": "0.05 um^2/s", "division_rate": division_rate, "death_rate": death_rate}
    if crowding_limit is not None:
        walker["crowding_limit"] = crowding_limit
    data = {"name": name, "seed": seed, "backend": "cpu", "extensions": [WALKER_EXTENSION],
            "domain": {"size": list(size), "voxel": "2.5 um"}, "species": {"walker": walker}, "phases": phases}
    if output is not None:
        data["output"] = output
    return data


def tissue_data(size: list[str], voxel: str, duration: str, dt: str, output: dict, **sections) -> dict:
    """Config data of one tissue phase ``p`` in a box of ``size`` (three
    lengths), with the top-level ``sections`` given (``seed``, ``fields``,
    ``plasma``, ``tumour``, …; those passed as None left out)."""
    data = {"domain": {"size": list(size), "voxel": voxel}, "phases": [phase_data("p", duration, dt)], "output": output}
    data.update({key: value for key, value in sections.items() if value is not None})
    return data
