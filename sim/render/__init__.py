"""Off-screen 3D rendering of a run's snapshots (pyvista/VTK, headless via
EGL): frames, camera, movie. Import :mod:`alveosim.render.gl` first — it sets up
headless OpenGL before vtk loads; pyvista, vtk and imageio are imported only
where used (the ``render`` extra)."""
