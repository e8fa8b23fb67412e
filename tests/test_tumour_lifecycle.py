"""Tumour-cell life cycle: division conserves volume and gives unique uids,
newborns respect confinement, the population doubles in one doubling time
when uncrowded, EMT follows emt_factor and TRM contact, suppression lowers
death, seeding is deterministic and in allowed voxels, and a whole run with
secretion is the same on both backends."""

import math

import numpy as np
import pytest

from alveosim.kernels.rules.tumour import EMT, EPITHELIAL
from alveosim.config import load_config
from alveosim.labels import AIR, BLOOD, CAPILLARY, SEPTUM
from alveosim.operations import Operation
from alveosim.simulation import Simulation
from alveosim.streams import Stream
from alveosim.tumour.lifecycle import TumourGrowth
from alveosim.tumour.seeding import arrival_positions, focus_positions, seeded_cells, touching

from builders import tissue_data

DAY = 86400.0


def _n(backend, cpu_n, cuda_n):
    return cpu_n if backend.name == "cpu" else cuda_n


def _config(size_um=60.0, voxel="5 um", dt="1 h", duration="1 d", fields=None, **tumour):
    t = {"doubling_time": "1 d", "seeding": {"count": 0}}
    t.update(tumour)
    data = tissue_data([f"{size_um} um"] * 3, voxel, duration, dt, {"progress": False}, seed=4, tumour=t,
                       fields={"named": fields} if fields else None)
    return load_config(data=data)


def _sim(backend, cfg, labels=None):
    """A simulation with its operations attached; ``labels`` (host uint8)
    stand in for a lung lattice."""
    sim = Simulation(cfg, backend=backend)
    if labels is not None:
        sim.state.arrays["labels"] = backend.asarray(labels)
    for op in sim.operations:
        op.attach(sim)
    return sim


def _op(sim, kind):
    return next(op for op in sim.operations if isinstance(op, kind))


def _grid(n, spacing):
    """n cell centres on a cubic grid of ``spacing`` µm (far apart: no crowding)."""
    k = int(math.ceil(n ** (1 / 3)))
    ijk = np.stack(np.unravel_index(np.arange(n), (k, k, k)), axis=1)
    return ((ijk + 0.5) * spacing).astype(np.float32)


def test_division_conserves_volume_and_gives_unique_uids(backend):
    n = _n(backend, 400, 27)
    k = int(math.ceil(n ** (1 / 3)))
    sim = _sim(backend, _config(size_um=k * 30.0))
    pool = sim.state.pool("tumour")
    cells = seeded_cells(_grid(n, 30.0), 4 / 3 * math.pi * 125.0, DAY, 0.15, seed=1)
    cells["cycle"][: n // 2] = 0.9999  # half the cells complete their cycle in the step
    cells["cycle"][n // 2 :] = 0.5
    pool.add(cells)
    grow = _op(sim, TumourGrowth)
    dt = 600.0
    expected = backend.to_host(pool.live("volume")).astype(np.float64) * 2.0 ** (dt / backend.to_host(pool.live("cycle_time")).astype(np.float64))
    grow.act(sim.state, dt)
    assert pool.n == n + n // 2 and sim.state.values["tumour_births"] == n // 2
    host = pool.to_host()
    assert len(np.unique(host["uid"])) == pool.n
    np.testing.assert_allclose(host["volume"].astype(np.float64).sum(), expected.sum(), rtol=1e-6)
    parents = np.arange(n // 2)
    children = np.arange(n, n + n // 2)
    np.testing.assert_array_equal(host["volume"][parents], host["volume"][children])  # exact halves
    assert np.all(host["cycle"][children] < 0.02) and np.all(host["cycle_time"][children] != host["cycle_time"][parents])
    np.testing.assert_allclose(host["radius"], (3 * host["volume"] / (4 * math.pi)) ** (1 / 3), rtol=1e-5)
    gap = np.linalg.norm(host["pos"][children] - host["pos"][parents], axis=1)
    np.testing.assert_allclose(gap, 0.5 * host["radius"][children], rtol=1e-4)


def test_newborns_stay_in_allowed_voxels(backend):
    """Parents on the AIR side of an AIR/SEPTUM/CAPILLARY boundary: no newborn lands in a closed voxel."""
    labels = np.full((8, 8, 8), AIR, np.uint8)
    labels[:, :, 4:6] = SEPTUM
    labels[:, :, 6:] = CAPILLARY
    sim = _sim(backend, _config(size_um=20.0, voxel="2.5 um", crowding_limit=100000), labels)
    grow = _op(sim, TumourGrowth)
    n = _n(backend, 200, 24)
    rng = np.random.default_rng(0)
    pos = np.column_stack([rng.uniform(0.1, 19.9, (n, 2)), np.full(n, 9.9)]).astype(np.float32)  # just below the septum
    cells = seeded_cells(pos, 4 / 3 * math.pi * 125.0, DAY, 0.1, seed=2)
    cells["cycle"][:] = 0.9999
    cells["state"][n // 2 :] = EMT
    pool = sim.state.pool("tumour")
    pool.add(cells)
    grow.act(sim.state, 600.0)
    host = pool.to_host()
    ijk = np.floor(host["pos"] / 2.5).astype(int)
    lab = labels[ijk[:, 0], ijk[:, 1], ijk[:, 2]]
    assert pool.n == 2 * n
    assert not np.isin(lab, BLOOD).any()
    assert np.all(lab[host["state"] == EPITHELIAL] == AIR)


@pytest.mark.parametrize("backend_name", ["cpu", "cuda"])
def test_uncrowded_population_doubles_in_one_doubling_time(backend_name):
    from alveosim.backend import select_backend

    backend = select_backend(backend_name)
    n = _n(backend, 3000, 60)
    k = int(math.ceil(n ** (1 / 3)))
    sim = _sim(backend, _config(size_um=k * 40.0, doubling_time="1 d", doubling_time_cv=0.15))
    pool = sim.state.pool("tumour")
    pool.add(seeded_cells(_grid(n, 40.0), 4 / 3 * math.pi * 125.0, DAY, 0.15, seed=3))
    grow = _op(sim, TumourGrowth)
    steps = _n(backend, 24, 8)
    for step in range(steps):
        sim.state.step = step
        grow.act(sim.state, DAY / steps)
    ratio = pool.n / n
    # stable age distribution: E[N(T)] = 2 N0 (slightly more with cycle noise); binomial-like spread
    assert abs(ratio - 2.0) < 0.03 + 4.0 / math.sqrt(n), ratio


def _emt(backend, e, contact, k_dt, k_e=1.0, w=0.0):
    n = len(e)
    st = backend.asarray(np.zeros(n, np.uint8))
    backend.kernels("tumour").emt(
        n, backend.asarray(np.arange(n, dtype=np.int64)), st, backend.asarray(np.asarray(e, np.float32)),
        backend.asarray(np.asarray(contact, np.uint8)), 5, int(Stream.TUMOUR_EMT), 3, k_dt, k_e, w,
    )
    return backend.to_host(st)


def test_emt_fraction_rises_with_emt_factor_and_trm_contact(backend):
    n = _n(backend, 20000, 300)
    k_dt, k_e, w = 0.8, 2.0, 0.5
    fractions = []
    for e in (0.0, 1.0, 4.0, 40.0):
        out = _emt(backend, np.full(n, e), np.zeros(n), k_dt, k_e, w)
        p = -math.expm1(-k_dt * e / (e + k_e))
        assert set(np.unique(out)) <= {EPITHELIAL, EMT}
        assert abs((out == EMT).mean() - p) < 4.5 * math.sqrt(p * (1 - p) / n) + 1e-12
        fractions.append((out == EMT).mean())
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] > fractions[1]
    touched = _emt(backend, np.ones(n), np.ones(n), k_dt, k_e, w)
    p = -math.expm1(-k_dt * (1.0 / 3.0 + w))
    assert abs((touched == EMT).mean() - p) < 4.5 * math.sqrt(p * (1 - p) / n)


def _deaths(backend, s, k_dt, s_max, k_s):
    n = len(s)
    dead = backend.asarray(np.zeros(n, np.uint8))
    backend.kernels("tumour").death(
        n, backend.asarray(np.arange(n, dtype=np.int64)), backend.asarray(np.asarray(s, np.float32)), 6, int(Stream.TUMOUR_DEATH), 2,
        k_dt, s_max, k_s, dead,
    )
    return backend.to_host(dead).mean()


def test_immune_suppression_lowers_death(backend):
    n = _n(backend, 20000, 300)
    k_dt, s_max, k_s = 0.5, 0.8, 1.0
    rates = []
    for s in (0.0, 1.0, 1e6):
        p = -math.expm1(-k_dt * (1 - s_max * s / (s + k_s)))
        got = _deaths(backend, np.full(n, s), k_dt, s_max, k_s)
        assert abs(got - p) < 4.5 * math.sqrt(p * (1 - p) / n)
        rates.append(got)
    assert rates[0] > rates[1] > rates[2]


def _capillary_labels(edge=12):
    labels = np.full((edge,) * 3, AIR, np.uint8)
    labels[:, :, 5:7] = SEPTUM
    labels[:, :, 7:9] = CAPILLARY
    labels[:, :, 9:] = SEPTUM
    return labels


def test_seeding_foci_places_packed_cells_in_air_deterministically():
    labels = _capillary_labels(24)
    h, r = 2.5, 5.0
    args = (labels, h, 3, 7, 30.0, r)
    pos = focus_positions(*args, seed=1)
    assert pos.shape == (21, 3)
    np.testing.assert_array_equal(pos, focus_positions(*args, seed=1))
    assert not np.array_equal(pos, focus_positions(*args, seed=2))
    ijk = np.floor(pos / h).astype(int)
    assert np.all(labels[ijk[:, 0], ijk[:, 1], ijk[:, 2]] == AIR)
    walls = set(touching(labels, (AIR,), (SEPTUM,)))
    for focus in pos.reshape(3, 7, 3):
        centre = np.floor(focus[0] / h).astype(int)  # the first cell sits at the focus centre
        assert np.ravel_multi_index(centre, labels.shape) in walls
        d = np.linalg.norm(focus[:, None] - focus[None], axis=-1)
        assert d[~np.eye(7, dtype=bool)].min() >= 2 * r - 1e-4  # packed without overlap
    with pytest.raises(ValueError, match="focus_radius"):
        focus_positions(labels, h, 1, 500, 12.0, r, seed=1)


def test_seeding_from_capillaries_uses_voxels_next_to_blood():
    labels = _capillary_labels(12)
    pos = arrival_positions(labels, 2.5, 30, seed=3)
    ijk = np.floor(pos / 2.5).astype(int)
    assert len({tuple(v) for v in ijk}) == 30
    assert np.all(np.isin(ijk[:, 2], (6, 9)))  # the septal planes touching the capillary slab
    np.testing.assert_array_equal(pos, arrival_positions(labels, 2.5, 30, seed=3))


def test_secreting_cxcl13_needs_the_field(cpu):
    from alveosim.config import ConfigError

    with pytest.raises((ConfigError, ValueError), match="cxcl13"):  # refused when the config is read
        Simulation(_config(cxcl13_secretion="20 molecule/s"), backend=cpu).run()


def test_a_misspelt_field_that_a_rule_reads_is_refused_before_anything_is_written(tmp_path, capsys):
    """EMT reads ``emt_factor``: a config declaring ``emt_facter`` instead is
    refused by validate and run (exit 2, one line naming the setting and the
    field), and a run directory is never created."""
    import yaml

    from alveosim.cli import main

    data = {
        "seed": 4, "domain": {"size": ["30 um"] * 3, "voxel": "5 um"},
        "fields": {"named": {"emt_facter": {"unit": "a.u.", "diffusivity": "20 um^2/s"}}},
        "tumour": {"doubling_time": "1 d", "emt_rate": "1 1/d", "seeding": {"count": 0}},
        "phases": [{"name": "p", "clock": "tissue", "duration": "1 d", "dt": "1 h"}],
        "output": {"progress": False},
    }
    path = tmp_path / "misspelt.yaml"
    path.write_text(yaml.safe_dump(data))
    for argv in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "run"), "--no-progress"]):
        capsys.readouterr()
        assert main(argv) == 2
        lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert len(lines) == 1 and "tumour.emt_rate" in lines[0] and "'emt_factor'" in lines[0] and "emt_facter" in lines[0]
    assert not (tmp_path / "run").exists()
    data["fields"]["named"] = {"emt_factor": data["fields"]["named"]["emt_facter"]}
    path.write_text(yaml.safe_dump(data))
    assert main(["validate", str(path)]) == 0


FIELDS = {
    "cxcl13": {"unit": "pM", "diffusivity": "20 um^2/s", "label_diffusivity": {"air": "20 um^2/s"}, "half_life": "1 h"},
    "tumour_signal": {"unit": "a.u.", "diffusivity": "20 um^2/s", "label_diffusivity": {"air": "20 um^2/s"}, "half_life": "1 h"},
    "immune_suppression": {"unit": "a.u.", "diffusivity": "20 um^2/s", "label_diffusivity": {"air": "20 um^2/s"}, "initial": 5.0},
}

ZERO_EMT_FACTOR = {"unit": "a.u.", "diffusivity": "20 um^2/s"}  # nothing secretes it: EMT by contact alone


def test_a_run_secretes_and_is_identical_on_cpu_and_cuda(cpu, cuda):
    """Seeding, secretion, EMT by contact, death, growth and mechanics over a
    few steps on a tiny box: same cells on both backends, CXCL13 secreted."""
    cfg = _config(
        size_um=40.0, voxel="5 um", dt="3 h", duration="9 h", fields=dict(FIELDS, emt_factor=ZERO_EMT_FACTOR), doubling_time="12 h", death_rate="0.5 1/d",
        max_suppression=0.5, emt_rate="2 1/d", emt_contact_weight=1.0, emt_speed="1 um/min", cxcl13_secretion="20 molecule/s",
        seeding={"count": 2, "cells_per_focus": 5, "focus_radius": "15 um"},
    )
    results = []
    for be in (cpu, cuda):
        sim = Simulation(cfg, backend=be)
        sim.operations.append(_ContactAll())  # stands in for the TRM contact sensing (placed by its declarations)
        sim.run(progress=False)
        pool = sim.state.pool("tumour")
        results.append((pool.to_host(), be.to_host(sim.state.arrays["fields"]), dict(sim.timeseries.rows[-1])))
    (a, fa, ra), (b, fb, rb) = results
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    np.testing.assert_allclose(fa, fb, rtol=1e-5, atol=1e-6)
    assert ra["tumour_births"] > 0 and ra["tumour_emt_fraction"] > 0
    assert ra["tumour_cells"] == len(a["uid"]) == 10 + ra["tumour_births"] - ra["tumour_deaths"]
    assert ra["tumour_max_overlap"] <= 0.1
    assert ra["cxcl13_max_septum_pM"] > 0 and ra["tumour_signal_max_septum_au"] > 0


class _ContactAll(Operation):
    """A tissue-clock operation marking every tumour cell as TRM-touched,
    where the TRM contact sensing would act: before EMT reads the contacts."""

    name = "test.contact_all"
    after = "tumour.seeding"
    before = "tumour.emt"
    clocks = frozenset({"tissue"})

    def act(self, state, dt):
        pool = state.pool("tumour")
        pool.arrays["trm_contact"][: pool.n] = 1

    def columns(self):
        return []

    def observe(self, state):
        return {}

    def finish(self, state):
        pass
