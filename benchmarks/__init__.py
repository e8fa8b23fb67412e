"""alveosim benchmarks: JSON results with agent-/voxel-updates/s against the
measured memory-bandwidth roofline of the machine."""
