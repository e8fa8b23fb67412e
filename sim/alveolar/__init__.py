"""Alveolar macrophages of the early-lung-tumour niche: tissue-resident
alveolar macrophages (TRMs) and monocyte-derived macrophages (MDMs)."""
