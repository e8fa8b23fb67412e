"""Tumour cells of early lung tumours and lung metastases:
centre-based agents with repulsion, confinement, cycle and division, death,
EMT and secretion. The feature module is :mod:`alveosim.tumour.feature`."""
