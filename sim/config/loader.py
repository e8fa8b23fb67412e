"""Load a YAML config into the typed model, with errors that name key paths
and YAML lines; apply ``--set key=value`` overrides; hash the resolved config."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from sim.config.schema import Config


class ConfigError(ValueError):
    """Every problem found in a config, each with its key path and YAML line."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(problems))


def _line_map(node, path=(), out=None) -> dict[tuple, int]:
    """Map each key path of a composed YAML node tree to its 1-based line."""
    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[path + (key,)] = key_node.start_mark.line + 1
            _line_map(value_node, path + (key,), out)
            out[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, path + (i,), out)
    return out


def _coerce_override(raw: str):
    """Parse the value of ``--set key=value`` as a YAML scalar or list."""
    return yaml.safe_load(raw)


def apply_overrides(data: dict, overrides: list[str]) -> tuple[dict, dict[tuple, str]]:
    """Return a copy of ``data`` with ``a.b.c=value`` overrides applied, and the
    origin label of each overridden path (for error messages)."""
    data = copy.deepcopy(data)
    origins = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError("--set", [f"--set {item!r}: expected KEY.PATH=VALUE"])
        key, raw = item.split("=", 1)
        parts = [int(p) if p.isdigit() else p for p in key.strip().split(".")]
        node = data
        for part in parts[:-1]:
            if isinstance(node, list):
                node = node[part]
            else:
                node = node.setdefault(part, {})
        node[parts[-1]] = _coerce_override(raw)
        origins[tuple(parts)] = f"--set {key.strip()}"
    return data, origins


def _format_problems(err: ValidationError, source: str, lines: dict, origins: dict) -> list[str]:
    problems = []
    for e in err.errors():
        loc = tuple(x for x in e["loc"] if not (isinstance(x, str) and ("[" in x or x.startswith("function-"))))
        path = ".".join(str(x) for x in loc) or "(top level)"
        where = source
        for n in range(len(loc), -1, -1):
            if loc[:n] in origins:
                where = origins[loc[:n]]
                break
            if loc[:n] in lines:
                where = f"{source}:{lines[loc[:n]]}"
                break
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (misspelt?)"
        problems.append(f"{where} {path}: {msg}")
    return problems


def load_config(path: str | Path | None = None, overrides: list[str] | None = None, data: dict | None = None) -> Config:
    """Load and validate a config from a YAML file (or an already-parsed dict).

    Raises :class:`ConfigError` listing every problem with its key path and
    line. ``overrides`` are ``"a.b=value"`` strings applied before validation.
    """
    source = str(path) if path is not None else "<config>"
    lines: dict = {}
    if data is None:
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise ConfigError(source, [f"{source}: cannot read config: {exc.strerror}"]) from None
        try:
            node = yaml.compose(text)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(source, [f"{source}: invalid YAML: {exc}"]) from None
        if node is not None:
            lines = _line_map(node)
    if not isinstance(data, dict):
        raise ConfigError(source, [f"{source}: the top level must be a mapping of keys"])
    data, origins = apply_overrides(data, overrides or [])
    try:
        cfg = Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, _format_problems(err, source, lines, origins)) from None
    cfg._source = source
    cfg._given = data
    return cfg


def resolved_dict(cfg: Config) -> dict:
    """The resolved config as plain data (quantities as canonical-unit strings)."""
    return cfg.model_dump(mode="json")


def resolved_yaml(cfg: Config) -> str:
    return yaml.safe_dump(resolved_dict(cfg), sort_keys=False)


def config_hash(cfg: Config) -> str:
    """SHA-256 (hex, 16 chars) of the resolved config's canonical JSON."""
    blob = json.dumps(resolved_dict(cfg), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
