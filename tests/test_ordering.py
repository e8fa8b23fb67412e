"""The step order comes from the operations' after/before declarations: an
extension's operation lands where it declares, a cycle or an unknown name is
refused in one line naming the operations, and the shipped configs keep the
order they had when it was the features' list order."""

from pathlib import Path

import pytest

from alveosim import load_config
from alveosim.cli import main
from alveosim.operations import BLOOD, Operation
from alveosim.ordering import OrderError, op_name, ordered
from alveosim.simulation import Simulation
from blood_channel import channel_sim, step

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
# the operations' classes in step order before the order came from declarations
BEFORE = {
    "quickstart": ["FlowObserver", "FieldStep", "Reprogramming", "PrimaryTumourSecretion", "SystemicPools", "PoolHeadroom",
                   "BloodInflow", "BloodTransport", "PlateletCellList", "Binding", "PlateletActivation", "Aggregation", "AggregateLabels",
                   "Occlusion", "CheckpointWriter", "SnapshotWriter", "TimeSeries"],
    "pancreatic_course": ["FlowObserver", "FieldStep", "Reprogramming", "PrimaryTumourSecretion", "SystemicPools",
                          "PoolHeadroom", "BloodInflow", "BloodTransport", "PlateletCellList", "Binding", "PlateletActivation",
                          "Aggregation", "AggregateLabels", "Occlusion", "ClotResolution", "BloodWindow",
                          "CheckpointWriter", "TimeSeries"],
}


class Probe(Operation):
    """Counts its acts."""

    clocks = frozenset({BLOOD})

    def __init__(self, **declared):
        super().__init__(**declared)
        self.acts = 0

    def act(self, state, dt):
        self.acts += 1


def test_an_appended_operation_acts_where_it_declares(cpu):
    sim = channel_sim(cpu)
    probe = Probe(after="blood.transport", before="blood.aggregation")
    sim.operations.append(probe)
    step(sim, 2)
    names = [op_name(op) for op in sim.operations]
    assert names.index("blood.transport") < names.index("probe") < names.index("blood.aggregation")
    assert probe.acts == 2


def test_a_cycle_is_refused_naming_its_operations():
    ops = [Probe(name="a", after="c"), Probe(name="b", after="a"), Probe(name="c", after="b"), Probe(name="d")]
    with pytest.raises(OrderError, match="cycle: a → b → c → a$"):
        ordered(ops)


def test_an_unknown_name_is_refused_with_the_closest_known_one():
    with pytest.raises(OrderError, match="'probe' declares after='blood.transprot', which names no operation .did you mean 'blood.transport'"):
        ordered([Probe(after="blood.transprot")])


def test_a_name_this_run_lacks_holds_nothing_and_groups_cover_their_members():
    # no blood window here: "blood.window" is known (its class is imported) and orders nothing
    ops = [Probe(name="x.late"), Probe(name="x.early"), Probe(name="y", after={"x", "blood.window"})]
    assert [op.name for op in ordered(ops)] == ["x.late", "x.early", "y"]
    assert [op.name for op in ordered(ops[::-1])] == ["x.early", "x.late", "y"]


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_shipped_configs_keep_their_order_and_declarations_alone_give_it(name, tmp_path):
    sim = Simulation(load_config(CONFIGS / f"{name}.yaml"), backend="cpu", run_dir=tmp_path)
    assert [type(op).__name__ for op in sim.operations] == BEFORE[name]
    # the declarations order every clock's operations on their own: reversing the list changes nothing
    def per_clock(ops):
        return [[op_name(op) for op in ops if not op.writer and clock in op.clocks] for clock in ("tissue", "blood")] + \
               [[op_name(op) for op in ops if op.writer]]
    assert per_clock(ordered(sim.operations[::-1])) == per_clock(sim.operations)


def test_validate_steps_prints_the_order_per_clock(capsys):
    assert main(["validate", str(CONFIGS / "quickstart.yaml"), "--steps"]) == 0
    out = capsys.readouterr().out.splitlines()
    blood = out[out.index("blood clock:") + 1:out.index("writers (after each step's time advance):")]
    names = [line.split()[1] for line in blood]
    assert names[names.index("blood.transport") + 1:names.index("blood.transport") + 3] == ["blood.platelet_cells", "blood.binding"]
    assert "after=blood.transport" in blood[names.index("blood.binding")]
