"""A config section a feature contributes to the root config: its key, its
model and its default. A feature package ``P`` (feature module ``P.feature``)
lists its sections in ``P.config.SECTIONS``; :mod:`alveosim.config.schema`
builds the root model from the sections of every feature in
:data:`alveosim.model.FEATURES` and of the config's ``extensions``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Section:
    """``key``: the top-level config key; ``model``: its type (a pydantic
    model, or a typing form such as ``dict[str, Model]``); an optional section
    is ``None`` when absent unless ``default_factory`` makes its default."""

    key: str
    model: Any
    default_factory: Callable[[], Any] | None = None

    def field(self) -> tuple[Any, Any]:
        """(annotation, default) for ``pydantic.create_model``."""
        from pydantic import Field

        if self.default_factory is not None:
            return self.model, Field(default_factory=self.default_factory)
        return self.model | None, None
