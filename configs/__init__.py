"""The scenario configs shipped with alveosim, found by name (``alveosim run quickstart``)."""
