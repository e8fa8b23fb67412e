"""Blood biology: small EVs and platelets in the
capillaries on the blood clock — transport, binding, activation,
aggregation, clots and occlusion.

``sim.config`` is imported first because its schema imports
:mod:`sim.blood.config`; importing it here keeps either import order working.
"""

import sim.config  # noqa: F401
