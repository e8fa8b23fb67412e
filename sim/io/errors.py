"""Errors of the I/O package, each naming the file and what is wrong with it."""


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be read or resumed: missing, truncated,
    damaged, foreign, or written by an incompatible alveosim."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")
