"""alveosim: a GPU-accelerated agent-based simulator of lung tissue.

    from alveosim import Simulation, load_config
    sim = Simulation(load_config("configs/quickstart.yaml"))
    sim.run()
"""

from alveosim.config import load_config
from alveosim.simulation import Simulation

__version__ = "0.1.0"
__all__ = ["Simulation", "load_config", "__version__"]
