"""Configs: YAML validated into typed models (pydantic v2) before a run."""

from alveosim.config.loader import ConfigError, config_hash, load_config, resolved_dict, resolved_yaml
from alveosim.config.schema import Config

__all__ = ["Config", "ConfigError", "config_hash", "load_config", "resolved_dict", "resolved_yaml"]
