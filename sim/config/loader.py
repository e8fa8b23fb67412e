"""Load a YAML config into the typed model, with errors that name key paths
and YAML lines; apply ``--set key=value`` overrides; hash the resolved config."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from alveosim.config.checks import cross_section_problems
from alveosim.config.schema import Config
from alveosim.config.yaml_reader import YamlError, parse_yaml, read_yaml_file


class ConfigError(ValueError):
    """Every problem found in a config, each with its key path and YAML line."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(problems))


def _override_error(label: str, problem: str) -> ConfigError:
    return ConfigError("--set", [f"{label}: {problem}"])


def apply_overrides(data: dict, overrides: list[str]) -> tuple[dict, dict[tuple, str]]:
    """Return a copy of ``data`` with ``a.b.c=value`` overrides applied, and the
    origin label of each overridden path (for error messages).

    A path goes through sections (mappings, created when absent) and list
    items (``phases.0.dt``: an existing index); it never goes through a
    value. The value is read as YAML with the file's limits. Every problem
    raises a :class:`ConfigError` naming the ``--set``.
    """
    data = copy.deepcopy(data)
    origins = {}
    for item in overrides:
        if "=" not in item:
            raise _override_error(f"--set {item}", "expected KEY.PATH=VALUE")
        key, raw = item.split("=", 1)
        key = key.strip()
        label = f"--set {key}"
        parts = key.split(".")
        if not all(parts):
            raise _override_error(label, "empty key in the path")
        try:
            value, _ = parse_yaml(raw, label)
        except YamlError as exc:
            raise ConfigError("--set", [str(exc)]) from None
        node, path = data, []
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    where = ".".join(path)
                    raise _override_error(label, f"{part!r} is not an index of {where} (0 to {len(node) - 1})")
                part = int(part)
            elif not isinstance(node, dict):
                raise _override_error(label, f"{'.'.join(path)} is a value, not a section")
            path.append(str(part))
            if last:
                node[part] = value
            else:
                if isinstance(node, dict) and node.get(part) is None:
                    node[part] = {}
                node = node[part]
        origins[tuple(int(p) if p.isdigit() else p for p in parts)] = label
    return data, origins


def _format_problems(errors: list[dict], source: str, lines: dict, origins: dict) -> list[str]:
    """One line per error (pydantic's ``loc``/``msg``/``type`` dicts): where
    (file:line or the --set), key path, message."""
    problems = []
    for e in errors:
        loc = tuple(x for x in e["loc"] if not (isinstance(x, str) and ("[" in x or x.startswith("function-"))))
        path = ".".join(str(x) for x in loc) or "(top level)"
        where = next((origins[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in origins), None)
        if where is None:  # a section's own check, of a value an override set inside it
            where = next((label for path, label in origins.items() if loc and path[: len(loc)] == loc), None)
        if where is None:
            where = next((f"{source}:{lines[loc[:n]]}" for n in range(len(loc), -1, -1) if loc[:n] in lines), source)
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
            data, lines = read_yaml_file(path)
        except YamlError as exc:
            raise ConfigError(source, [str(exc)]) from None
    if not isinstance(data, dict):
        raise ConfigError(source, [f"{source}: the top level must be a mapping of keys"])
    data, origins = apply_overrides(data, overrides or [])
    try:
        cfg = Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, _format_problems(err.errors(), source, lines, origins)) from None
    except (TypeError, KeyError, AttributeError) as exc:  # a section's check met a value of an unexpected shape
        raise ConfigError(source, [f"{source}: invalid config ({type(exc).__name__}: {exc})"]) from None
    problems = cross_section_problems(cfg)
    if problems:
        raise ConfigError(source, _format_problems(problems, source, lines, origins))
    cfg._source = source
    cfg._given = data
    return cfg


def resolved_dict(cfg: Config) -> dict:
    """The resolved config as plain data (quantities as canonical-unit strings)."""
    return cfg.model_dump(mode="json")


def resolved_yaml(cfg: Config) -> str:
    return yaml.safe_dump(resolved_dict(cfg), sort_keys=False)


# Resolved configs without the walker example's section hash as they did while
# the walker was built in, so earlier run directories and checkpoints (whose
# resume compares hashes) keep their hash.
HASHED_WITHOUT_WALKER = {"species": {"walker": None}}


def config_hash(cfg: Config) -> str:
    """SHA-256 (hex, 16 chars) of the resolved config's canonical JSON."""
    blob = json.dumps(HASHED_WITHOUT_WALKER | resolved_dict(cfg), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
