"""Declared channels between features: a consumer without its producer and
two producers of one channel fail at set-up naming both ends; the shipped
quickstart wires the expected channels; a stale cell-list read fails."""

import pytest

from alveosim import Simulation, load_config
from alveosim.channels import ANTIBODY_THETA, CATALOGUE, FIELDS, FLOW, PLASMA_SEV_B2, ChannelError, Wiring
from alveosim.config.shipped import resolve_config_path
from alveosim.neighbours import StaleCellList


def test_a_consumer_without_its_producer_fails_naming_both():
    wiring = Wiring()
    with pytest.raises(ChannelError, match=r"'flow'.*alveosim\.blood occlusion requires it, but its producer alveosim\.lattice\.feature did not publish it"):
        wiring.require(FLOW, "alveosim.blood occlusion")
    assert wiring.optional(FIELDS, "alveosim.tumour") is None  # an optional consumer works without it


def test_two_producers_or_a_foreign_producer_fail():
    wiring = Wiring()
    wiring.publish(FIELDS, "alveosim.fields.feature", object())
    with pytest.raises(ChannelError, match="'fields' has two producers: alveosim.fields.feature and alveosim.fields.feature"):
        wiring.publish(FIELDS, "alveosim.fields.feature", object())
    with pytest.raises(ChannelError, match="alveosim.tumour publishes it, but its declared producer is alveosim.systemic"):
        wiring.publish(PLASMA_SEV_B2, "alveosim.tumour")
    with pytest.raises(ChannelError, match="not declared"):
        wiring.require("plasma_sev_b2", "alveosim.blood")


def test_blood_without_a_lattice_fails_at_set_up_naming_both_ends():
    cfg = load_config(resolve_config_path("quickstart"), ["domain.size=[30 um, 30 um, 20 um]"])
    cfg = cfg.model_copy(update={"lattice": None, "macrophages": None, "sev_pool": None})
    with pytest.raises(ChannelError, match=r"'labels'.*alveosim\.blood requires it, but its producer alveosim\.lattice\.feature"):
        Simulation(cfg, backend="cpu")


def test_quickstart_wiring_lists_the_expected_channels():
    cfg = load_config(resolve_config_path("quickstart"), ["domain.size=[30 um, 30 um, 20 um]"])
    sim = Simulation(cfg, backend="cpu")
    sim._attach_all()
    rows = {r["name"]: r for r in sim.channels.rows()}
    expected = {
        "flow": ("alveosim.lattice.feature", "alveosim.blood occlusion"),
        "labels": ("alveosim.lattice.feature", "alveosim.blood"),
        "velocity": ("alveosim.lattice.feature", "alveosim.blood"),
        "fields": ("alveosim.fields.feature", "alveosim.macrophages.feature?"),
        "plasma": ("alveosim.fields.feature", "alveosim.systemic.feature?"),
        "ev_shed_rate": ("alveosim.macrophages.feature", "alveosim.blood.transport?"),
        "plasma_sev_b2_per_um3": ("alveosim.systemic.feature", "alveosim.blood.transport?"),
        "antibody_theta": ("alveosim.systemic.feature", "alveosim.blood.binding?"),
        "ev_beta2": ("alveosim.systemic.feature", "alveosim.blood.transport?"),
    }
    for name, (producer, consumer) in expected.items():
        assert rows[name]["producer"] == producer, name
        assert consumer in rows[name]["consumers"], name
    assert all(r["producer"] is not None for r in rows.values() if any(not c.endswith("?") for c in r["consumers"]))
    assert CATALOGUE[ANTIBODY_THETA].kind == "value" and ANTIBODY_THETA in sim.state.values  # checkpointed in the State


def test_a_stale_platelet_cell_list_read_fails(cpu):
    from blood_channel import channel_sim, step

    sim = channel_sim(cpu)
    step(sim, 1)
    binding = next(op for op in sim.operations if type(op).__name__ == "Binding")
    sim.state.step += 1  # a step in which the owner has not built the list
    with pytest.raises(StaleCellList, match=r"binding read the platelet cell list in step 2, but it was built in step 0"):
        binding.act(sim.state, 1e-3)


def test_validate_lists_the_channels(capsys):
    from alveosim.cli import main

    rc = main(["validate", str(resolve_config_path("quickstart")), "--set", "domain.size=[30 um, 30 um, 20 um]", "--channels"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "#   flow (service): alveosim.lattice.feature -> alveosim.blood occlusion" in out.splitlines()
