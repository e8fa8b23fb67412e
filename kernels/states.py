"""State codes of the blood agents (uint8 ``state`` and ``activated_by``
fields), shared by the rules and the simulation: the species declarations in
``alveosim.blood.species`` name them in this order."""

# sEV states
FREE, BOUND = 0, 1

# platelet states
RESTING, PRIMED, ACTIVATED, AGGREGATED = 0, 1, 2, 3

# what activated a platelet
BY_NONE, BY_SEV, BY_SPONTANEOUS, BY_INJURY = 0, 1, 2, 3
