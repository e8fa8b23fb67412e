"""Snapshots: VTK's own reader (through pyvista) opens what alveosim writes,
with the same points per species and the same field values and ranges."""

import json
from types import SimpleNamespace

import h5py
import numpy as np
import pytest

from alveosim.config import load_config
from alveosim.io.checkpoint import read_checkpoint
from alveosim.simulation import Simulation

from builders import phase_data, walker_data


def config(**output):
    data = walker_data("snap", 11, 150, [phase_data("a", "4 min", "1 min")], size=("30 um", "25 um", "20 um"),  # 12 x 10 x 8 voxels
                       division_rate="1e-3 1/s", output={"progress": False, "snapshot_every": "2 min", **output})
    return load_config(data=data)


class FakeFields:
    names = ["cxcl13", "antibody"]
    specs = [SimpleNamespace(unit="pM"), SimpleNamespace(unit="nM")]


def run_with_arrays(backend, run_dir, **output):
    sim = Simulation(config(**output), backend=backend, run_dir=run_dir)
    rng = np.random.default_rng(5)
    sim.fields = FakeFields()
    sim.state.arrays["fields"] = backend.asarray(rng.random((2, 12, 10, 8)).astype(np.float32) * [[[[3.0]]], [[[0.5]]]])
    sim.state.arrays["labels"] = backend.asarray(rng.integers(0, 6, (12, 10, 8)).astype(np.uint8))
    sim.state.arrays["velocity"] = backend.asarray(rng.normal(size=(12, 10, 8, 3)).astype(np.float32))
    sim.state.arrays["flux_x"] = backend.asarray(np.zeros((13, 10, 8), np.float32))  # not cell-shaped: checkpoint only
    sim.run()
    return sim


def test_snapshot_folders_and_layout(backend, tmp_path):
    sim = run_with_arrays(backend, tmp_path / "run")
    snaps = sorted(p.name for p in (tmp_path / "run" / "snapshots").iterdir())
    assert snaps == ["lattice.vtkhdf.series", "step_0000000000", "step_0000000002", "step_0000000004", "walker.vtkhdf.series"]
    last = tmp_path / "run" / "snapshots" / "step_0000000004"
    with h5py.File(last / "lattice.vtkhdf") as f:
        root = f["VTKHDF"]
        assert root.attrs["Type"] == b"ImageData"
        assert list(root.attrs["WholeExtent"]) == [0, 12, 0, 10, 0, 8]
        assert sorted(root["CellData"]) == ["antibody", "cxcl13", "labels", "velocity"]
        assert root["CellData/velocity"].shape == (8, 10, 12, 3)  # VTK order: x fastest
    with h5py.File(last / "walker.vtkhdf") as f:
        assert f["VTKHDF"].attrs["Type"] == b"PolyData"
        assert int(f["VTKHDF/NumberOfPoints"][0]) == sim.state.pools["walker"].n
        assert f.attrs["alveosim_step"] == 4


def test_pyvista_reads_snapshot(tmp_path):
    pv = pytest.importorskip("pyvista")
    from alveosim.backend import select_backend

    backend = select_backend("cpu")
    sim = run_with_arrays(backend, tmp_path / "run")
    folder = tmp_path / "run" / "snapshots" / "step_0000000004"
    grid = pv.read(folder / "lattice.vtkhdf")
    assert grid.dimensions == (13, 11, 9) and grid.spacing == (2.5, 2.5, 2.5)
    fields = sim.state.arrays["fields"]
    for k, name in enumerate(FakeFields.names):
        got = np.asarray(grid.cell_data[name])
        assert got.min() == fields[k].min() and got.max() == fields[k].max()
        # cell (i, j, k) of VTK is voxel (i, j, k) of alveosim
        np.testing.assert_array_equal(got.reshape(8, 10, 12).transpose(2, 1, 0), fields[k])
    np.testing.assert_array_equal(np.asarray(grid.cell_data["velocity"]).reshape(8, 10, 12, 3).transpose(2, 1, 0, 3), sim.state.arrays["velocity"])
    # the cell centre of voxel (3, 2, 1) lies at ((3.5, 2.5, 1.5) * 2.5) um
    cid = grid.find_containing_cell([3.5 * 2.5, 2.5 * 2.5, 1.5 * 2.5])
    assert grid.cell_data["labels"][cid] == sim.state.arrays["labels"][3, 2, 1]
    pool = sim.state.pools["walker"]
    points = pv.read(folder / "walker.vtkhdf")
    assert points.n_points == pool.n and points.n_verts == pool.n
    np.testing.assert_array_equal(np.asarray(points.points), pool.live("pos"))
    np.testing.assert_array_equal(np.asarray(points.point_data["uid"]), pool.live("uid"))
    assert np.asarray(points.point_data["n_neigh"]).max() == pool.live("n_neigh").max()


def test_subsampled_snapshot_but_full_checkpoint(tmp_path):
    from alveosim.backend import select_backend

    sim = run_with_arrays(select_backend("cpu"), tmp_path / "run", snapshot_max_agents=40)
    pool = sim.state.pools["walker"]
    assert pool.n > 40
    with h5py.File(tmp_path / "run" / "snapshots" / "step_0000000004" / "walker.vtkhdf") as f:
        assert int(f["VTKHDF/NumberOfPoints"][0]) == 40
        assert f.attrs["alveosim_count"] == pool.n and f.attrs["alveosim_subsampled"] == 1
        uids = f["VTKHDF/PointData/uid"][()]
        assert json.loads(f.attrs["alveosim_units"])["pos"] == "um"
    assert len(np.unique(uids)) == 40 and np.isin(uids, pool.live("uid")).all()
    ck = read_checkpoint(tmp_path / "run" / "checkpoints" / "step_0000000004.h5")
    assert ck.pools["walker"].n == pool.n
    assert ck.arrays["flux_x"].shape == (13, 10, 8)


def test_pyvista_reads_full_model_snapshot(tmp_path):
    """Every species and the lattice of the shipped lung model open in VTK's
    reader with the counts and ranges alveosim holds."""
    pv = pytest.importorskip("pyvista")
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    cfg = load_config(repo / "configs" / "pancreatic.yaml", ["phases.0.duration=2 h", "phases.1.duration=10 ms", "output.progress=false", "output.snapshot_every=1 h"])
    sim = Simulation(cfg, backend="cpu", run_dir=tmp_path / "run")
    sim.run()
    folder = tmp_path / "run" / "snapshots" / f"step_{sim.state.step:010d}"
    for name, pool in sim.state.pools.items():
        mesh = pv.read(folder / f"{name}.vtkhdf")
        assert mesh.n_points == pool.n, name
        if pool.n and "state" in pool.arrays:
            assert set(np.unique(mesh.point_data["state"])) == set(np.unique(pool.live("state")))
    grid = pv.read(folder / "lattice.vtkhdf")
    labels = sim.state.arrays["labels"]
    assert grid.n_cells == labels.size
    assert np.bincount(np.asarray(grid.cell_data["labels"]), minlength=8).tolist() == np.bincount(labels.ravel(), minlength=8).tolist()
    for k, field in enumerate(sim.fields.names):
        got = np.asarray(grid.cell_data[field])
        assert (got.min(), got.max()) == (sim.state.arrays["fields"][k].min(), sim.state.arrays["fields"][k].max())


@pytest.mark.parametrize("stride, origin", [(3, 0.0), (2, 1.25)])
def test_down_sampled_snapshot_keeps_block_centres(tmp_path, stride, origin):
    """Grid arrays keep voxels i·s + s//2 per axis, as cells s voxels wide
    centred on them (origin 0 for odd s, h/2 for even s); checkpoints keep all."""
    from alveosim.backend import select_backend

    sim = run_with_arrays(select_backend("cpu"), tmp_path / "run", snapshot_field_stride=stride)
    pick = (slice(stride // 2, None, stride),) * 3
    labels = sim.state.arrays["labels"][pick]
    with h5py.File(tmp_path / "run" / "snapshots" / "step_0000000004" / "lattice.vtkhdf") as f:
        root = f["VTKHDF"]
        nx, ny, nz = labels.shape
        assert list(root.attrs["WholeExtent"]) == [0, nx, 0, ny, 0, nz]
        assert list(root.attrs["Spacing"]) == [2.5 * stride] * 3 and list(root.attrs["Origin"]) == [origin] * 3
        np.testing.assert_array_equal(root["CellData/labels"][()].reshape(nz, ny, nx).transpose(2, 1, 0), labels)
        np.testing.assert_array_equal(root["CellData/velocity"][()].transpose(2, 1, 0, 3), sim.state.arrays["velocity"][pick])
        assert f.attrs["alveosim_field_stride"] == stride
    assert read_checkpoint(tmp_path / "run" / "checkpoints" / "step_0000000004.h5").arrays["labels"].shape == (12, 10, 8)
