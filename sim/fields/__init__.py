"""Reaction–diffusion fields on the voxel lattice and the systemic plasma
compartments that set their blood-voxel (Dirichlet) values."""
