"""Circulating tumour cells: arrival in lung capillaries during blood flow,
arrest (more likely at clots), extravasation into metastatic foci."""
