"""The lung lattice: Voronoi-foam geometry with capillary sheets (generate),
its report (report), capillary Darcy flow with occlusion (flow), the config
section (config) and the feature that puts them into the State (feature)."""
