"""alveosim: a GPU-accelerated agent-based simulator of lung tissue.

    from alveosim import Simulation, load_config
    sim = Simulation(load_config("configs/quickstart.yaml"))
    sim.run()

``Simulation`` and ``load_config`` are imported on first use, so importing
``alveosim.kernels`` alone loads neither the config models nor the simulation.
"""

__version__ = "0.1.0"
__all__ = ["Simulation", "load_config", "__version__"]


def __getattr__(name):
    if name == "Simulation":
        from alveosim.simulation import Simulation

        return Simulation
    if name == "load_config":
        from alveosim.config import load_config

        return load_config
    raise AttributeError(f"module 'alveosim' has no attribute {name!r}")
