"""Test set-up: the CUDA launchers run in Numba's CUDA simulator unless a real
GPU is asked for with ALVEOSIM_TEST_GPU=1. This must happen before numba is
first imported, hence at the top of conftest."""

import os

if os.environ.get("ALVEOSIM_TEST_GPU", "0") != "1":
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from alveosim.backend import select_backend  # noqa: E402


@pytest.fixture(params=["cpu", "cuda"])
def backend(request):
    """Each backend the machine has; ``cuda`` is the simulator without a GPU."""
    return select_backend(request.param)


@pytest.fixture
def cpu():
    return select_backend("cpu")


@pytest.fixture
def cuda():
    return select_backend("cuda")


def to_host(backend, arr):
    return np.asarray(backend.to_host(arr))
