"""Example features, loaded through a config's ``extensions`` (installed as
``alveosim.examples``)."""
