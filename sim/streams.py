"""Random-number stream ids, one per kind of draw, listed once so no two
operations share a stream (kernels.rng keys draws by seed, stream, step, uid)."""

from enum import IntEnum


class Stream(IntEnum):
    TEST = 0
    WALK = 1
    WALKER_FATE = 2
    WALKER_BIRTH = 3
    SEEDING = 4
    LATTICE_SEEDS = 20  # jittered Voronoi seeds of the lung lattice
    IM_PLACEMENT = 60  # interstitial macrophages
    IM_REPROGRAM = 61
    EV_TRANSPORT = 80  # blood: sEV Brownian steps and clearance
    PLATELET_TRANSPORT = 81
    EV_INFLOW = 82
    PLATELET_INFLOW = 83
    EV_SHED = 84
    EV_PLACE = 85
    PLATELET_PLACE = 86
    EV_BIND = 87
    PLATELET_ACTIVATION = 88
    PLATELET_AGGREGATION = 89
    BLOOD_SEEDING = 90
    EV_BLOCK = 91  # antibody blocking of an EV's beta2, drawn once per EV
    BLOOD_WINDOW = 92  # the fresh blood of each blood window (host draws keyed by the tissue step)
    CLOT_RESOLUTION = 93  # an aggregate resolving, drawn per tissue step and aggregate id
    SEV_ASSAY = 94  # assay error of the measured plasma sEV-beta2, one host draw per step
    PLATELET_TETHER = 95  # GPIb-vWF tethering at an injury and capture into its plug
    TUMOUR_SEEDING = 100  # tumour cells: seeding, cycle times, fates, motility, newborns
    TUMOUR_CYCLE = 101
    TUMOUR_DEATH = 102
    TUMOUR_EMT = 103
    TUMOUR_MOTILITY = 104
    TUMOUR_BIRTH = 105
    TUMOUR_CONTACT = 106
    TRM_PLACEMENT = 120  # alveolar macrophages: TRM placement on the alveolar surface
    AM_MOTION = 121  # random motility of TRMs and MDMs
    TRM_DEPLETION = 122
    MDM_RECRUIT_COUNT = 123  # Poisson number of MDMs recruited per tissue step
    MDM_PLACEMENT = 124
    CTC_INFLOW = 140  # circulating tumour cells: arrivals with the inflowing blood
    CTC_PLACE = 141
    CTC_TRANSPORT = 142
    CTC_ARREST = 143
    CTC_FATE = 144  # extravasation or clearance of arrested CTCs, host draws per tissue step
    CTC_FOCUS = 145  # cycle state of the tumour cell an extravasated CTC becomes
    NEUTROPHIL = 150  # the neutrophil example: moves and platelet bonds
