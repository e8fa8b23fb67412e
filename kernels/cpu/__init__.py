"""CPU launchers: ``@njit(parallel=True, cache=True)`` loops over rule functions."""
