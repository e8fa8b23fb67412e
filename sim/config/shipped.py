"""Scenario configs shipped inside the package, found by name.

``alveosim run quickstart`` works from any directory: a config argument that
names an existing file is that file; otherwise a bare name (``quickstart`` or
``quickstart.yaml``) is looked up among the shipped scenarios.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped_dir() -> Path:
    """The folder of the shipped scenario configs (inside the installed package)."""
    return Path(str(resources.files("alveosim.configs")))


def shipped_names() -> list[str]:
    """Names of the shipped scenario configs (without ``.yaml``), sorted."""
    return sorted(p.stem for p in shipped_dir().glob("*.yaml"))


def resolve_config_path(name: str | Path) -> Path:
    """The file a config argument names: an existing path as given, else the
    shipped scenario of that name; a path that is neither is returned as given
    (the loader reports it cannot be read)."""
    path = Path(name)
    if path.exists() or len(path.parts) != 1:
        return path
    shipped = shipped_dir() / (path.name if path.suffix == ".yaml" else f"{path.name}.yaml")
    return shipped if shipped.is_file() else path
