"""HDF5 checkpoints: everything a run evolves, written atomically, read back
with every problem reported as a :class:`CheckpointError`, and restored into a
:class:`State` on any backend.

The I/O is generic: it saves every pool in ``state.pools`` (live agents only,
all fields, with ``n``, ``next_uid`` and ``capacity``), every array in
``state.arrays`` and every entry of ``state.values``, so a new species, field
or lattice array is checkpointed without edits here.

File layout (format ``alveosim-checkpoint``, version 2)::

    /                 attrs: format, format_version, complete, step, time_s,
                      phase_index, phase_step, phase, seed, config_hash,
                      run_id (of the run directory's marker; "" without one),
                      rng, versions (alveosim, numpy, numba, h5py), backend,
                      device, written_at, digest
    /config           resolved YAML of the run's config (canonical units)
    /pools/<species>  attrs: n, next_uid, capacity, fields (JSON), units, states
    /pools/<species>/<field>   [n, *trailing], the species' dtype
    /arrays/<name>    the array as stored in state.arrays (shape, dtype)
    /values           attrs: name -> scalar

Datasets are chunked, compressed (gzip level 1 with byte shuffle) and carry
Fletcher-32 checksums; ``digest`` (SHA-256 over every attribute and dataset,
:mod:`alveosim.io.digest`) is written last and verified on every read, so a
changed bit anywhere, data or metadata, is detected. What is read is then
checked against the stored config and this machine (:mod:`alveosim.io.trust`).
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np

from alveosim.io.atomic import atomic_path
from alveosim.io.attrs import plain
from alveosim.io.digest import DIGEST_ATTR, UnreadableDataset, file_digest
from alveosim.io.errors import CheckpointError

FORMAT = "alveosim-checkpoint"
FORMAT_VERSION = 2
RNG_NOTE = "Philox-4x32 counter RNG keyed by (seed, stream, step, uid); counters: step and each pool's next_uid"
_CHUNK_BYTES = 1 << 20
_FILTERS = {"compression": "gzip", "compression_opts": 1, "shuffle": True, "fletcher32": True}


# -- writing -----------------------------------------------------------------
def write_checkpoint(sim, path: str | Path) -> Path:
    """Write the state of ``sim`` to ``path`` atomically (temporary file,
    fsync, rename). Returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            _write_header(f, sim)
            _write_pools(f.create_group("pools"), sim.state)
            arrays = f.create_group("arrays")
            for name, arr in sim.state.arrays.items():
                _write_dataset(arrays, name, sim.backend.to_host(arr))
            values = f.create_group("values")
            for name, value in sim.state.values.items():
                values.attrs[name] = value
            f.attrs["complete"] = np.int8(1)
            f.attrs[DIGEST_ATTR] = file_digest(f)
    return path


def _write_header(f: h5py.File, sim) -> None:
    import numba

    import alveosim
    from alveosim.config import config_hash, resolved_yaml
    from alveosim.rundir import read_marker

    st = sim.state
    f.attrs["format"] = FORMAT
    f.attrs["format_version"] = FORMAT_VERSION
    f.attrs["step"] = np.int64(st.step)
    f.attrs["time_s"] = np.float64(st.time)
    f.attrs["phase_index"] = np.int64(st.phase_index)
    f.attrs["phase_step"] = np.int64(st.phase_step)
    f.attrs["phase"] = sim.phase_name(st.phase_index)
    f.attrs["seed"] = np.uint64(st.seed)
    f.attrs["config_hash"] = config_hash(sim.config)
    marker = read_marker(sim.run_dir) if sim.run_dir is not None else None
    f.attrs["run_id"] = marker["run_id"] if marker else ""
    f.attrs["rng"] = RNG_NOTE
    f.attrs["versions"] = json.dumps({
        "alveosim": alveosim.__version__, "numpy": np.__version__, "numba": numba.__version__,
        "h5py": h5py.__version__, "python": platform.python_version(),
    })
    f.attrs["backend"] = sim.backend.name
    f.attrs["device"] = sim.backend.description
    f.attrs["written_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    f.create_dataset("config", data=resolved_yaml(sim.config))


def _write_pools(group: h5py.Group, state) -> None:
    for name, pool in state.pools.items():
        g = group.create_group(name)
        sp = pool.species
        g.attrs["n"] = np.int64(pool.n)
        g.attrs["next_uid"] = np.int64(pool.next_uid)
        g.attrs["capacity"] = np.int64(pool.capacity)
        g.attrs["fields"] = json.dumps({k: [np.dtype(d).str, list(s)] for k, (d, s) in sp.fields.items()})
        g.attrs["units"] = json.dumps(sp.units)
        g.attrs["states"] = json.dumps(list(sp.states))
        for fname, host in pool.to_host().items():
            _write_dataset(g, fname, host)


def _write_dataset(group: h5py.Group, name: str, data: np.ndarray) -> None:
    data = np.ascontiguousarray(data)
    if data.ndim == 0 or data.size == 0:
        group.create_dataset(name, data=data)
        return
    row_bytes = data.itemsize * int(np.prod(data.shape[1:], dtype=np.int64))
    if row_bytes <= _CHUNK_BYTES:
        chunks = (max(1, min(data.shape[0], _CHUNK_BYTES // row_bytes)), *data.shape[1:])
    else:
        chunks = True
    group.create_dataset(name, data=data, chunks=chunks, **_FILTERS)


# -- reading -----------------------------------------------------------------
@dataclass
class PoolData:
    """One species' agents as read from a checkpoint (host arrays, live rows)."""

    species: object
    n: int
    next_uid: int
    capacity: int
    fields: dict[str, np.ndarray]


@dataclass
class Checkpoint:
    """A checkpoint read completely into host memory and checked."""

    path: Path
    config: object
    meta: dict
    step: int
    time: float
    phase_index: int
    phase_step: int
    seed: int
    pools: dict[str, PoolData] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def open_checked(path: str | Path) -> h5py.File:
    """Open ``path`` read-only as an alveosim checkpoint, or raise a
    :class:`CheckpointError` that says what is wrong (missing, not HDF5,
    truncated, foreign, incomplete, too new)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(path, "no such checkpoint file")
    if path.stat().st_size == 0:
        raise CheckpointError(path, "empty file (0 bytes), not a checkpoint")
    if not h5py.is_hdf5(path):
        raise CheckpointError(path, "not an HDF5 file (no HDF5 signature): garbage or a different file type")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise CheckpointError(path, f"truncated or damaged HDF5 file, cannot be opened ({_short(exc)})") from None
    try:
        _check_header(path, f)
    except BaseException:
        f.close()
        raise
    return f


def _check_header(path: Path, f: h5py.File) -> None:
    try:
        fmt = f.attrs.get("format")
    except (OSError, RuntimeError, KeyError) as exc:
        raise CheckpointError(path, f"damaged HDF5 metadata ({_short(exc)})") from None
    if fmt != FORMAT:
        kind = "a VTKHDF snapshot" if "VTKHDF" in f else "an HDF5 file of another program"
        raise CheckpointError(path, f"not an alveosim checkpoint: it is {kind} (no format={FORMAT!r} attribute)")
    try:
        version = int(f.attrs.get("format_version", -1))
    except (TypeError, ValueError):
        version = -1
    if version != FORMAT_VERSION:
        raise CheckpointError(path, f"checkpoint format version {version}; this alveosim reads version {FORMAT_VERSION}")
    if int(f.attrs.get("complete", 0)) != 1:
        raise CheckpointError(path, "incomplete checkpoint (the writer did not finish)")


def read_checkpoint(path: str | Path) -> Checkpoint:
    """Read and check a whole checkpoint into host memory.

    Every problem (missing, garbage, truncated, damaged data, foreign file,
    config that no longer validates or hashes differently, species whose
    fields differ from this alveosim's) raises :class:`CheckpointError`.
    Nothing is written anywhere.
    """
    path = Path(path)
    with open_checked(path) as f:
        try:
            return _read(path, f)
        except CheckpointError:
            raise
        except (OSError, KeyError, ValueError, TypeError, RuntimeError) as exc:
            raise CheckpointError(path, f"damaged checkpoint, cannot read its contents ({_short(exc)})") from None


def _read(path: Path, f: h5py.File) -> Checkpoint:
    from alveosim.config import ConfigError, config_hash, load_config
    from alveosim.config.yaml_reader import YamlError, parse_yaml
    from alveosim.io.trust import check_checkpoint
    from alveosim.model import feature_modules

    feature_modules()  # registers every species this alveosim defines
    recorded = plain(f.attrs.get(DIGEST_ATTR))
    try:
        actual = file_digest(f)
    except UnreadableDataset as exc:
        raise CheckpointError(path, f"damaged dataset /{exc.name} ({_short(exc.__cause__ or exc)})") from None
    if not isinstance(recorded, str) or actual != recorded:
        raise CheckpointError(path, "digest mismatch: the file was changed or damaged after it was written")
    text = _read_data(path, f, "config")
    text = text.decode() if isinstance(text, bytes) else str(text)
    try:
        data, _ = parse_yaml(text, f"{path}:/config")
        cfg = load_config(data=data)
    except (ConfigError, YamlError) as exc:
        raise CheckpointError(path, f"the stored config does not validate with this alveosim: {'; '.join(str(exc).splitlines())}") from None
    cfg._source = f"{path}:/config"
    stored_hash = str(f.attrs["config_hash"])
    if config_hash(cfg) != stored_hash:
        raise CheckpointError(path, f"the stored config hashes to {config_hash(cfg)}, not the recorded {stored_hash} (damaged config)")
    meta = {k: plain(v) for k, v in f.attrs.items()}
    ck = Checkpoint(
        path=path, config=cfg, meta=meta, step=int(meta["step"]), time=float(meta["time_s"]),
        phase_index=int(meta["phase_index"]), phase_step=int(meta["phase_step"]), seed=int(meta["seed"]),
    )
    for name, g in f["pools"].items():
        ck.pools[name] = _read_pool(path, name, g)
    for name in f["arrays"]:
        ck.arrays[name] = _read_data(path, f["arrays"], name)
    ck.values = {k: plain(v) for k, v in f["values"].attrs.items()}
    check_checkpoint(ck)
    return ck


def _read_pool(path: Path, name: str, g: h5py.Group) -> PoolData:
    from alveosim.species import REGISTRY, Species

    stored = {k: (np.dtype(d), tuple(s)) for k, (d, s) in json.loads(g.attrs["fields"]).items()}
    species = REGISTRY.get(name)
    if species is None:
        species = Species(name, fields={k: (d.str, s) for k, (d, s) in stored.items()},
                          units=json.loads(g.attrs["units"]), states=tuple(json.loads(g.attrs["states"])))
    else:
        here = {k: (np.dtype(d), tuple(s)) for k, (d, s) in species.fields.items()}
        if here != stored:
            raise CheckpointError(path, f"species {name!r} stores {_layout(stored)} in the checkpoint but {_layout(here)} in this alveosim")
    n = int(g.attrs["n"])
    fields = {}
    for fname, (dtype, shape) in species.all_fields().items():
        if fname not in g:
            raise CheckpointError(path, f"species {name!r}: field {fname!r} missing")
        arr = _read_data(path, g, fname)
        if arr.shape != (n, *shape) or arr.dtype != dtype:
            raise CheckpointError(path, f"species {name!r} field {fname!r}: {arr.dtype}{list(arr.shape)}, expected {dtype}{[n, *shape]}")
        fields[fname] = arr
    return PoolData(species, n, int(g.attrs["next_uid"]), int(g.attrs["capacity"]), fields)


def _read_data(path: Path, group: h5py.Group, name: str):
    try:
        return group[name][()]
    except (OSError, KeyError, ValueError, RuntimeError) as exc:
        raise CheckpointError(path, f"damaged dataset {group.name.rstrip('/')}/{name} ({_short(exc)})") from None


# -- restoring ---------------------------------------------------------------
def restore_state(ck: Checkpoint, backend):
    """A :class:`State` on ``backend`` (any backend: a CUDA checkpoint restores
    on the CPU and vice versa) holding the checkpoint's pools (saved capacity,
    uids, next_uid), arrays, values and clock."""
    from alveosim.pools import AgentPool
    from alveosim.state import State

    st = State(backend, ck.seed, step=ck.step, time=ck.time, phase_index=ck.phase_index, phase_step=ck.phase_step)
    for name, pd in ck.pools.items():
        pool = AgentPool(pd.species, pd.capacity, backend, next_uid=pd.next_uid)
        for fname, host in pd.fields.items():
            pool.arrays[fname][: pd.n] = backend.asarray(host)
        pool.n = pd.n
        st.pools[name] = pool
    st.arrays = {name: backend.asarray(host) for name, host in ck.arrays.items()}
    st.values = dict(ck.values)
    return st


# -- summary (inspect) -------------------------------------------------------
def summarize(path: str | Path) -> dict:
    """Header facts and the names, shapes and dtypes of what a checkpoint
    holds, without reading the data (for ``alveosim inspect``)."""
    path = Path(path)
    with open_checked(path) as f:
        try:
            out = {k: plain(v) for k, v in f.attrs.items()}
            out["versions"] = json.loads(out["versions"])
            out["pools"] = {
                name: {"n": int(g.attrs["n"]), "capacity": int(g.attrs["capacity"]), "next_uid": int(g.attrs["next_uid"]),
                       "fields": {k: f"{d.dtype}{list(d.shape)}" for k, d in g.items()}}
                for name, g in f["pools"].items()
            }
            out["arrays"] = {name: f"{d.dtype}{list(d.shape)}" for name, d in f["arrays"].items()}
            out["values"] = {k: plain(v) for k, v in f["values"].attrs.items()}
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            raise CheckpointError(path, f"damaged checkpoint metadata ({_short(exc)})") from None
    return out


def _layout(fields: dict) -> str:
    return "{" + ", ".join(f"{k}: {d}{list(s)}" for k, (d, s) in sorted(fields.items())) + "}"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
