"""Rule functions: per-agent and per-voxel logic written once with
``register_jitable``, called from the CPU and CUDA launchers alike."""
