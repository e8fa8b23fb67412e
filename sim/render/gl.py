"""Headless OpenGL for VTK: choose the off-screen window class before vtk is
imported, and probe in a child process whether rendering works, so that a
driver that segfaults cannot take the caller down and a missing OpenGL is
reported in one clear line.

Without an X display and without ``VTK_DEFAULT_OPENGL_WINDOW``, VTK tries X11
and segfaults; with ``vtkEGLRenderWindow`` (Debian ``libegl1
libgl1-mesa-dri``) it renders off-screen with no X server. A value the user
set is kept (``vtkOSMesaRenderWindow`` for OSMesa builds, for example).
"""

from __future__ import annotations

import os
import subprocess
import sys

EGL = "vtkEGLRenderWindow"
INSTALL_HINT = ("install the render extra (pip install 'alveosim[render]') and the system packages "
                "libegl1 libgl1-mesa-dri (./install.sh does both)")

_PROBE = """
import sys
import vtk
win = vtk.vtkRenderWindow()
win.SetOffScreenRendering(1)
win.SetSize(8, 8)
ren = vtk.vtkRenderer()
ren.SetBackground(1.0, 0.0, 0.0)
win.AddRenderer(ren)
win.Render()
grab = vtk.vtkWindowToImageFilter()
grab.SetInput(win)
grab.Update()
img = grab.GetOutput()
red = img.GetPointData().GetScalars().GetTuple(0)[0] if img.GetNumberOfPoints() else 0
sys.stdout.write(win.GetClassName() + " " + str(int(red)))
"""


class RenderUnavailable(RuntimeError):
    """Rendering cannot run here; ``str()`` is one line saying why and what to do."""


def configure_headless() -> str | None:
    """Set ``VTK_DEFAULT_OPENGL_WINDOW`` to EGL on Linux without a display,
    unless already set; returns the value in force (None: VTK's default)."""
    if "VTK_DEFAULT_OPENGL_WINDOW" not in os.environ and sys.platform.startswith("linux"):
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = EGL
    return os.environ.get("VTK_DEFAULT_OPENGL_WINDOW")


def require_packages() -> None:
    """Raise :class:`RenderUnavailable` when pyvista, vtk or imageio is missing."""
    import importlib.util

    missing = [m for m in ("vtk", "pyvista", "imageio") if importlib.util.find_spec(m) is None]
    if missing:
        raise RenderUnavailable(f"rendering needs {', '.join(missing)}: {INSTALL_HINT}")


_probed: str | None = None


def probe(timeout: float = 120.0) -> str:
    """Render one tiny frame in a child process; return the window class that
    worked, or raise :class:`RenderUnavailable` with a one-line reason. The
    result is remembered for this process (and children inherit the
    environment that made it work)."""
    global _probed
    if _probed is not None:
        return _probed
    require_packages()
    window = configure_headless() or "VTK's default window"
    try:
        proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                              timeout=timeout, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        raise RenderUnavailable(f"no usable OpenGL: a test render with {window} hung for {timeout:.0f} s; {INSTALL_HINT}") from None
    out = proc.stdout.split()
    if proc.returncode == 0 and len(out) == 2 and out[1] == "255":
        _probed = out[0]
        return _probed
    if proc.returncode < 0:
        why = f"a test render with {window} crashed (signal {-proc.returncode})"
    elif proc.returncode == 0:
        why = f"a test render with {window} produced a blank image"
    else:
        last = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
        why = f"a test render with {window} failed ({last[-1][:160] if last else f'exit {proc.returncode}'})"
    raise RenderUnavailable(f"no usable OpenGL: {why}; {INSTALL_HINT}, or set VTK_DEFAULT_OPENGL_WINDOW "
                            f"(vtkEGLRenderWindow, vtkOSMesaRenderWindow, vtkXOpenGLRenderWindow with a display)")
