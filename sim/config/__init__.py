"""Configs: YAML validated into typed models (pydantic v2) before a run.

The names below are imported on first use, so a section's model module
(which imports ``alveosim.config.types``) can be imported on its own, in any
order, without loading the whole schema first.
"""

from importlib import import_module

_EXPORTS = {
    "Config": "alveosim.config.schema",
    "ConfigError": "alveosim.config.loader",
    "config_hash": "alveosim.config.loader",
    "load_config": "alveosim.config.loader",
    "resolved_dict": "alveosim.config.loader",
    "resolved_yaml": "alveosim.config.loader",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'alveosim.config' has no attribute {name!r}")
    return getattr(import_module(module), name)
