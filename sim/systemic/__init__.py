"""Systemic pools (config keys ``primary_tumour:``, ``sev_pool:``,
``antibody:``): the primary tumour's CXCL13 secretion into plasma, the organ's
interstitial macrophages feeding the plasma sEV-β2 pool (:mod:`.organ`) and
the anti-β2 blocking fraction. The feature module is
:mod:`alveosim.systemic.feature`."""
