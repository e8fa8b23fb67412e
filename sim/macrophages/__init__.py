"""Interstitial macrophages (config key ``macrophages:``, species ``im``,
kernel topic ``macrophages``): placed in septal voxels, reprogrammed by
CXCL13, shedding sEVs into the blood. The feature module is
:mod:`alveosim.macrophages.feature`."""
