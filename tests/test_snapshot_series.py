"""Snapshots as ParaView time series: per dataset kind a ``.vtkhdf.series``
index with times in seconds that VTK's HDF reader (through pyvista's series
reader) opens as n time steps; units and category names as field data;
internal working arrays left out."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from alveosim.backend import select_backend
from alveosim.config import load_config
from alveosim.io.snapshot import update_series
from alveosim.simulation import Simulation

from builders import phase_data, walker_data

pv = pytest.importorskip("pyvista")
vtk = pytest.importorskip("vtk")


def config():
    data = walker_data("series", 5, 80, [phase_data("a", "4 min", "1 min"), phase_data("b", "2 min", "1 min")], size=("30 um", "25 um", "20 um"),  # 12 x 10 x 8 voxels
                       output={"progress": False, "snapshot_every": "2 min"})
    return load_config(data=data)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    backend = select_backend("cpu")
    run_dir = tmp_path_factory.mktemp("series") / "run"
    sim = Simulation(config(), backend=backend, run_dir=run_dir)
    sim.fields = SimpleNamespace(names=["cxcl13"], specs=[SimpleNamespace(unit="pM")])
    rng = np.random.default_rng(2)
    sim.state.arrays["fields"] = rng.random((1, 12, 10, 8)).astype(np.float32)
    sim.state.arrays["labels"] = rng.integers(0, 6, (12, 10, 8)).astype(np.uint8)
    sim.state.arrays["velocity"] = rng.normal(size=(12, 10, 8, 3)).astype(np.float32)
    sim.state.arrays["fields_source_cxcl13"] = np.full((12, 10, 8), 2**40, dtype=np.int64)  # fixed-point scratch
    sim.run()
    return sim, run_dir / "snapshots"


def strings(mesh, name):
    return [str(s) for s in np.atleast_1d(mesh.field_data[name])]


def test_lattice_series_has_increasing_times_and_named_arrays(run):
    sim, snaps = run
    reader = pv.get_reader(str(snaps / "lattice.vtkhdf.series"))
    assert reader.number_time_points == 4  # t = 0, 2, 4, 6 min
    assert reader.time_values == [0.0, 120.0, 240.0, 360.0]
    for k, t in enumerate(reader.time_values):
        reader.set_active_time_point(k)
        mesh = reader.read()
        assert {"cxcl13", "labels", "velocity"} <= set(mesh.cell_data.keys())
        assert not any(name.startswith("fields_source") for name in mesh.cell_data.keys())
        assert float(mesh.field_data["TimeValue"][0]) == t
        assert "cxcl13: pM" in strings(mesh, "units") and "velocity: um/s" in strings(mesh, "units")
        assert strings(mesh, "labels_names") == ["air", "septum", "capillary", "post", "inlet", "outlet"]
    assert strings(mesh, "phase") == ["b"]


def test_agent_series_with_units_and_state_names(run):
    sim, snaps = run
    index = json.loads((snaps / "walker.vtkhdf.series").read_text())
    assert [f["time"] for f in index["files"]] == [0.0, 120.0, 240.0, 360.0]
    reader = pv.get_reader(str(snaps / "walker.vtkhdf.series"))
    assert reader.number_time_points == 4
    reader.set_active_time_point(3)
    mesh = reader.read()
    assert mesh.n_points == sim.state.pool("walker").n
    assert "pos: um" in strings(mesh, "units")
    # VTK's own reader on one file of the series: the same field data
    r = vtk.vtkHDFReader()
    r.SetFileName(str(snaps / index["files"][1]["name"]))
    r.Update()
    fd = r.GetOutput().GetFieldData()
    assert fd.GetArray("TimeValue").GetValue(0) == 120.0
    assert fd.GetArray("step").GetValue(0) == 2


def test_state_names_of_a_categorical_species(tmp_path):
    from alveosim.io.vtkhdf import write_points
    from alveosim.io.snapshot import _field_data

    fd = _field_data(3.0, 7, "blood_flow", {"pos": "µm"}, {"state": ("resting", "primed")})
    write_points(tmp_path / "p.vtkhdf", np.zeros((2, 3), np.float32), {"state": np.array([0, 1], np.uint8)}, field_data=fd)
    mesh = pv.read(tmp_path / "p.vtkhdf")
    assert strings(mesh, "state_names") == ["resting", "primed"] and strings(mesh, "units") == ["pos: um"]


def test_series_index_drops_entries_a_resumed_run_rewrites(tmp_path):
    for step, t in ((0, 0.0), (10, 60.0), (20, 120.0)):
        update_series(tmp_path, "lattice", step, t)
    update_series(tmp_path, "lattice", 10, 60.0)  # resumed from step 5: rewrites step 10 onwards
    files = json.loads((tmp_path / "lattice.vtkhdf.series").read_text())["files"]
    assert files == [{"name": "step_0000000000/lattice.vtkhdf", "time": 0.0}, {"name": "step_0000000010/lattice.vtkhdf", "time": 60.0}]
