"""Lesion measurements (config key ``lesions:``): connected clusters of tumour
cells and the macrophages in them. The feature module is
:mod:`alveosim.lesions.feature`."""
