"""One module per ``alveosim`` command; see :mod:`alveosim.cli`."""
