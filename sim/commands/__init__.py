"""One module per ``alveosim`` command; see :mod:`sim.cli`."""
