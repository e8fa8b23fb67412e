"""Alveolar macrophages of the early-lung-tumour niche (issue 7): tissue-resident
alveolar macrophages (TRMs) and monocyte-derived macrophages (MDMs)."""
