"""Everything a run evolves, on the device: agent pools, grids, scalar values
and the clock position. Checkpoints read and write exactly this."""

from __future__ import annotations

from dataclasses import dataclass, field

from alveosim.backend import Backend
from alveosim.pools import AgentPool


@dataclass
class State:
    """The evolving state of a simulation.

    pools: species name -> :class:`AgentPool`.
    arrays: name -> device array (lattice labels, fields, pressure, velocities…);
        features register what they own here so checkpoints pick it up.
    values: name -> float, small host-side state (systemic plasma pools…).
    step: global step count; time: simulated seconds (float64);
    phase_index / phase_step: position in the config's phase list.
    """

    backend: Backend
    seed: int
    pools: dict[str, AgentPool] = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)
    step: int = 0
    time: float = 0.0
    phase_index: int = 0
    phase_step: int = 0

    def pool(self, name: str) -> AgentPool:
        try:
            return self.pools[name]
        except KeyError:
            raise KeyError(f"no agent pool {name!r}; present: {sorted(self.pools)}") from None
