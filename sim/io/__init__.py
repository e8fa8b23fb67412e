"""Files a run writes and reads back: HDF5 checkpoints (exact resume), VTKHDF
snapshots for ParaView/pyvista, and the writer operations that produce them."""
