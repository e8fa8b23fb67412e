"""Random-number stream ids, one per kind of draw, listed once so no two
operations share a stream (kernels.rng keys draws by seed, stream, step, uid)."""

from enum import IntEnum


class Stream(IntEnum):
    TEST = 0
    WALK = 1
    WALKER_FATE = 2
    WALKER_BIRTH = 3
    SEEDING = 4
