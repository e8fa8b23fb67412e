"""Reading YAML text that a user wrote, with limits: UTF-8 only, at most
:data:`MAX_BYTES`, no duplicate keys, nesting at most :data:`MAX_DEPTH`
deep, at most :data:`MAX_ALIASES` aliases expanding to at most
:data:`MAX_NODES` nodes. Every problem is one line naming the source and line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

MAX_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_ALIASES = 128
MAX_NODES = 200_000


class YamlError(ValueError):
    """A YAML document refused: one line with its source and line."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts nesting depth and aliases while composing."""

    def __init__(self, stream, source: str):
        super().__init__(stream)
        self.source = source
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                line = self.peek_event().start_mark.line + 1
                raise YamlError(f"{self.source}:{line}: more than {MAX_ALIASES} YAML aliases")
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            line = self.peek_event().start_mark.line + 1
            raise YamlError(f"{self.source}:{line}: nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text of ``raw`` (at most :data:`MAX_BYTES`), or a YamlError with
    the byte offset and line of the first bad byte."""
    if len(raw) > MAX_BYTES:
        raise YamlError(f"{source}: {len(raw):,} bytes; a config holds at most {MAX_BYTES:,}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError(f"{source}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None


def read_yaml_file(path: str | Path) -> tuple[object, dict[tuple, int]]:
    """The data of a YAML file and the 1-based line of each key path."""
    source = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise YamlError(f"{source}: cannot read: {exc.strerror or exc}") from None
    return parse_yaml(decode(raw, source), source)


def parse_yaml(text: str, source: str) -> tuple[object, dict[tuple, int]]:
    """The data of YAML ``text`` and the 1-based line of each key path."""
    loader = None
    try:
        loader = _Loader(text, source)
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _check_size(node, source)
        lines: dict[tuple, int] = {}
        _walk(node, (), lines, source)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise YamlError(f"{where}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlError(f"{source}:{line}: invalid YAML: character #x{exc.character:04x} is not allowed") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{source}: invalid YAML: {str(exc).splitlines()[0]}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_size(root, source: str) -> None:
    """Refuse a node graph whose aliases expand to more than MAX_NODES nodes
    or refer to themselves."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not done:
            if id(node) in open_nodes:
                raise YamlError(f"{source}:{node.start_mark.line + 1}: a YAML alias refers to its own anchor (recursive)")
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        open_nodes.discard(id(node))
        sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
        if sizes[id(node)] > MAX_NODES:
            raise YamlError(f"{source}:{node.start_mark.line + 1}: YAML aliases expand to more than {MAX_NODES:,} values")


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _walk(node, path: tuple, lines: dict, source: str) -> None:
    """Fill ``lines`` (key path → line) and refuse duplicate keys."""
    if len(path) > MAX_DEPTH:
        raise YamlError(f"{source}:{node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep (through aliases)")
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key == "<<" or key is None:
                continue
            if key in seen:
                raise YamlError(f"{source}:{key_node.start_mark.line + 1}: duplicate key "
                                f"{'.'.join(map(str, path + (key,)))!r} (first at line {seen[key]})")
            seen[key] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines, source)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines, source)
