"""The resolved config as a user reads it: every default filled in, but each
value the config file (or ``--set``) gave written as it was given (``0.5 /d``
rather than ``5.787e-06 1/s``). Loading this text again gives the same
config, so the same hash; the hash is always of the canonical form
(:func:`alveosim.config.config_hash`)."""

from __future__ import annotations

import yaml

from alveosim.config.loader import resolved_dict
from alveosim.config.schema import Config


def _as_given(resolved, given):
    """``resolved`` with each scalar replaced by the scalar the user gave at
    the same key path; what was not given (defaults) stays resolved."""
    if isinstance(resolved, dict) and isinstance(given, dict):
        return {k: _as_given(v, given[k]) if k in given else v for k, v in resolved.items()}
    if isinstance(resolved, list) and isinstance(given, list) and len(resolved) == len(given):
        return [_as_given(r, g) for r, g in zip(resolved, given)]
    scalar = (str, int, float, bool)
    if isinstance(given, scalar) and isinstance(resolved, scalar):
        return given
    return resolved


def display_dict(cfg: Config) -> dict:
    """The resolved config as plain data, quantities in the units given."""
    given = cfg._given
    resolved = resolved_dict(cfg)
    return _as_given(resolved, given) if given is not None else resolved


def display_yaml(cfg: Config) -> str:
    """YAML of :func:`display_dict` (no line folding, so it reads the same
    whatever the terminal width)."""
    return yaml.safe_dump(display_dict(cfg), sort_keys=False, allow_unicode=True, width=10**6)
