"""PNG frames to an MP4 (H.264 via imageio-ffmpeg) or GIF movie."""

from __future__ import annotations

from pathlib import Path

FORMATS = (".mp4", ".gif")


def check_movie_name(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"movie {path}: use a .mp4 or .gif name")
    return path


def write_movie(frames: list[Path], path: str | Path, fps: float = 5.0) -> Path:
    """Write ``frames`` (PNGs of one size; MP4 needs width and height divisible
    by 16, as :func:`alveosim.render.driver.frame_size` makes them) to ``path``."""
    import imageio.v2 as imageio

    path = check_movie_name(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".mp4":
        writer = imageio.get_writer(path, fps=fps, codec="libx264", quality=7, macro_block_size=16,
                                    pixelformat="yuv420p")
    else:
        writer = imageio.get_writer(path, mode="I", duration=1000.0 / fps, loop=0)
    with writer:
        for frame in frames:
            writer.append_data(imageio.imread(frame)[..., :3])
    return path
