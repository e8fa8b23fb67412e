"""The CTC ledger: every arrival, arrest and fate of circulating tumour
cells, counted on the device in ``state.arrays["ctc_ledger"]`` (int64
[len(KEYS)]), read by the host only when logging; checkpoints keep it. The
pool balances as

    ctc_arrived = circulating + arrested + extravasated (the pool, by state)
                  + ctc_cleared + ctc_outflow

and ``ctc_arrested_at_clot + ctc_arrested_open`` counts every arrest."""

from __future__ import annotations

from alveosim.device_ledger import DeviceLedger

KEYS = ("ctc_arrived", "ctc_outflow", "ctc_arrested_open", "ctc_arrested_at_clot", "ctc_extravasated", "ctc_cleared")
ARRAY = "ctc_ledger"
LEDGER = DeviceLedger(ARRAY, KEYS)
INDEX = LEDGER.index
counts, add, values = LEDGER.counts, LEDGER.add, LEDGER.values

