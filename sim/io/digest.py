"""One SHA-256 digest over everything an HDF5 file holds: every group's and
dataset's attributes and every dataset's dtype, shape and bytes, visited in
sorted order. A checkpoint stores it as the root attribute ``digest`` (left
out of the digest itself), so any change of data or metadata is detected."""

from __future__ import annotations

import hashlib

import h5py
import numpy as np

DIGEST_ATTR = "digest"


class UnreadableDataset(OSError):
    """A dataset whose bytes cannot be read (failed checksum, truncation)."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"cannot read dataset /{name}")


def _frame(h, tag: str, payload: bytes) -> None:
    h.update(tag.encode() + b"\0" + len(payload).to_bytes(8, "little") + payload)


def _value_bytes(value) -> bytes:
    if isinstance(value, str):
        return b"s" + value.encode()
    if isinstance(value, bytes):
        return b"b" + value
    arr = np.asarray(value)
    if arr.dtype.kind in "OSU":
        return b"o" + repr(arr.tolist()).encode()
    arr = np.ascontiguousarray(arr)
    return arr.dtype.str.encode() + repr(arr.shape).encode() + arr.tobytes()


def _attrs(h, name: str, obj) -> None:
    for key in sorted(obj.attrs):
        if name == "/" and key == DIGEST_ATTR:
            continue
        _frame(h, f"attr {name}@{key}", _value_bytes(obj.attrs[key]))


def file_digest(f: h5py.File) -> str:
    """Hex SHA-256 of the content of the open file ``f`` (reads every dataset)."""
    h = hashlib.sha256()
    _attrs(h, "/", f)
    names: list[str] = []
    f.visit(names.append)
    for name in sorted(names):
        obj = f[name]
        _attrs(h, name, obj)
        if isinstance(obj, h5py.Dataset):
            try:
                data = obj[()]
            except (OSError, RuntimeError, ValueError) as exc:
                raise UnreadableDataset(name) from exc
            _frame(h, f"data {name}", _value_bytes(data))
        else:
            _frame(h, f"group {name}", b"")
    return h.hexdigest()
