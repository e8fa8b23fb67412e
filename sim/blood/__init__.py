"""Blood biology: small EVs and platelets in the
capillaries on the blood clock — transport, binding, activation,
aggregation, clots and occlusion."""
