"""The model's features. Each feature module provides ``initialize(sim)``
(initial state of a new run, from the config) and ``operations(sim)`` (its
operations); a feature module ``P.feature`` declares its config sections in
``P.config`` (``SECTIONS``, :class:`alveosim.config.sections.Section`). The
step order comes from the operations' ``after``/``before`` declarations
(:mod:`alveosim.ordering`); this list's order (then each feature's list, then
a config's ``extensions``, loaded after these and before the writers) breaks
the ties. A new feature is one package plus one entry here, or an extension."""

from __future__ import annotations

from importlib import import_module

FEATURES: list[str] = [
    "alveosim.lattice.feature",  # lung lattice and capillary flow (first)
    "alveosim.fields.feature",  # fields and plasma (after the lattice)
    "alveosim.tumour.feature",  # tumour cells (before the alveolar macrophages and lesions)
    "alveosim.alveolar.feature",  # TRMs and MDMs (after the tumour cells they sense)
    "alveosim.lesions.feature",  # lesion measurements at logging (after the tumour cells and macrophages)
    "alveosim.macrophages.feature",  # interstitial macrophages
    "alveosim.systemic.feature",  # plasma CXCL13 secretion, organ IMs, plasma sEV-beta2, antibody
    "alveosim.blood.feature",  # blood: sEVs, platelets, clots (after the tissue biology)
    "alveosim.ctc.feature",  # circulating tumour cells (after the platelets they arrest at)
]
WRITERS = "alveosim.io.feature"  # writers last: they see every feature's state


def feature_names(extensions=()) -> list[str]:
    """Module names of the features of a run with ``extensions``, in step order."""
    return [*FEATURES, *extensions, WRITERS]


def feature_modules(extensions=()):
    return [import_module(name) for name in feature_names(extensions)]


def module_sections(feature: str) -> tuple:
    """The config sections of feature module ``feature`` (``P.feature`` →
    ``P.config.SECTIONS``; none without a ``P.config`` module)."""
    name = feature.rsplit(".", 1)[0] + ".config"
    try:
        module = import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return ()
        raise
    return tuple(getattr(module, "SECTIONS", ()))


def config_sections(extensions=()) -> list:
    """Every config section of a run with ``extensions``, in feature order;
    an extension's feature module is imported (its species registered)."""
    for name in extensions:
        import_module(name)
    return [s for name in feature_names(extensions) for s in module_sections(name)]
