"""HDF5 attribute values as plain Python values."""

import numpy as np


def plain(v):
    """Bytes decoded; 0-d arrays and NumPy scalars unwrapped to int/float/bool."""
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, (np.generic, np.ndarray)) and np.ndim(v) == 0:
        return v.item()
    return v
