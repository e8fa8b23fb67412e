"""Sweep files shipped with alveosim (``alveosim sweep``)."""
