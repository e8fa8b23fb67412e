"""Every config key has an effect: each field of the config schema is read by
code outside the config models, directly or through one of its model's own
properties or methods (validators do not count: a key that is only checked
is read by nothing)."""

import ast
import inspect
import re
import typing
from pathlib import Path

from pydantic import BaseModel

from alveosim.config.schema import ConfigBase, config_model

from builders import WALKER_EXTENSION

ROOT = Path(__file__).resolve().parents[1]
VALIDATORS = {"field_validator", "model_validator"}


ROOT_MODEL = config_model((WALKER_EXTENSION,))  # the built-in sections and the walker example's


def config_models(tp=ROOT_MODEL, seen=None) -> list[type]:
    """Every pydantic model reachable from ``tp`` through field annotations."""
    seen = set() if seen is None else seen
    out = []
    if isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in seen:
        seen.add(tp)
        out.append(tp)
        for field in tp.model_fields.values():
            out += config_models(field.annotation, seen)
    for arg in typing.get_args(tp):
        out += config_models(arg, seen)
    return out


def helpers_reading(model: type) -> dict[str, set[str]]:
    """Non-validator methods and properties of ``model`` → the field names each reads as ``self.<name>``."""
    tree = ast.parse(inspect.getsource(ConfigBase if model is ROOT_MODEL else model))  # the assembled root's code is its base's
    found = {}
    for node in tree.body[0].body:
        if not isinstance(node, ast.FunctionDef):
            continue
        decorators = {d.func.id if isinstance(d, ast.Call) and isinstance(d.func, ast.Name) else getattr(d, "id", "")
                      for d in node.decorator_list}
        if decorators & VALIDATORS:
            continue
        found[node.name] = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
                            and isinstance(n.value, ast.Name) and n.value.id == "self"}
    return found


def test_every_config_key_is_read_by_the_simulation():
    models = config_models()
    defining = {Path(inspect.getsourcefile(ConfigBase if m is ROOT_MODEL else m)).resolve() for m in models}
    code = "\n".join(p.read_text() for folder in ("sim", "kernels", "benchmarks", "examples") for p in (ROOT / folder).rglob("*.py")
                     if p.resolve() not in defining)

    def read_outside(name: str) -> bool:
        return re.search(rf"\.{name}\b|[\"']{name}[\"']", code) is not None

    unread = []
    for model in models:
        helpers = helpers_reading(model)
        for name in model.model_fields:
            via_helper = any(name in reads and read_outside(helper) for helper, reads in helpers.items())
            if not read_outside(name) and not via_helper:
                unread.append(f"{model.__name__}.{name}")
    assert unread == [], f"config keys nothing reads: {unread}"
