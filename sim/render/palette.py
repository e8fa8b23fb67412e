"""Colours of the scene (RGB 0–255). The clot colour is a saturated blue
that stands out against the pink capillaries and that nothing else in a
frame uses (tests find clots by it); agent states without an entry get
colours from :data:`FALLBACK`, which has no such blue."""

from __future__ import annotations

BACKGROUND = (255, 255, 255)
CLOT = (0, 60, 255)
SEPTUM = (196, 178, 160)      # translucent tissue
CAPILLARY = (240, 170, 190)   # translucent pale pink capillary sheet

STATES: dict[str, dict[str, tuple[int, int, int]]] = {
    "platelet": {"resting": (150, 150, 150), "primed": (240, 200, 0), "activated": (255, 130, 0), "aggregated": CLOT},
    "ev": {"free": (0, 160, 170), "bound": (0, 110, 80)},
    "im": {"naive": (60, 170, 60), "reprogrammed": (170, 40, 190)},
    "trm": {"resident": (20, 120, 160), "tumour-associated": (120, 60, 20), "tumour_associated": (120, 60, 20)},
    "tumour": {"epithelial": (60, 60, 60), "emt": (230, 90, 200)},
}

FALLBACK = ((31, 119, 180), (44, 160, 44), (148, 103, 189), (140, 86, 75), (23, 190, 207), (188, 189, 34), (127, 127, 127))

# point size (pixels at 720 p, scaled with the frame height) and whether to draw spheres
STYLE: dict[str, tuple[float, bool]] = {"platelet": (5.0, True), "ev": (2.0, False), "im": (12.0, True),
                                        "trm": (12.0, True), "tumour": (14.0, True)}
DEFAULT_STYLE = (6.0, True)
CLOT_GLYPH_RADIUS = 1.6  # µm: aggregated platelets drawn as spheres 1.5x a mouse platelet's radius (1.04 µm for 4.7 fL)

# tissue opacities (septum, capillary) per --tissue mode
TISSUE_OPACITY = {"faint": (0.03, 0.08), "slab": (0.06, 0.25)}


def state_colours(species: str, states: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """One colour per state index of ``species`` (one colour when stateless)."""
    known = STATES.get(species, {})
    out = []
    spare = iter(FALLBACK)
    for name in states or ("",):
        out.append(known.get(name) or next(spare, FALLBACK[-1]))
    return out


def unit(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    return tuple(c / 255.0 for c in rgb)
