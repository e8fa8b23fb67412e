"""Blood biology: small EVs and platelets in the
capillaries on the blood clock — transport, binding, activation,
aggregation, clots and occlusion.

``alveosim.config`` is imported first because its schema imports
:mod:`alveosim.blood.config`; importing it here keeps either import order working.
"""

import alveosim.config  # noqa: F401
