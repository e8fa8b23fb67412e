"""Voxel labels of the lung lattice (uint8), shared by the kernels and every feature."""

AIR = 0  # alveolar airspace
SEPTUM = 1  # interstitium (septal tissue)
CAPILLARY = 2  # capillary blood lumen
POST = 3  # septal tissue post inside the capillary sheet
INLET = 4  # capillary voxel with arteriolar inflow (Dirichlet, high pressure)
OUTLET = 5  # capillary voxel with venular outflow (Dirichlet, low pressure)

NAMES = {AIR: "air", SEPTUM: "septum", CAPILLARY: "capillary", POST: "post", INLET: "inlet", OUTLET: "outlet"}
BLOOD = (CAPILLARY, INLET, OUTLET)  # labels that carry blood
