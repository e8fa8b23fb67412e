"""``alveosim render RUN_DIR``: PNG frames and a movie of a run's snapshots."""

from rich.markup import escape

from alveosim.commands.common import console, err_console


def register(sub):
    p = sub.add_parser("render", help="render a run's snapshots off-screen (PNG frames, MP4 or GIF movie)")
    p.add_argument("run_dir", metavar="RUN_DIR", help="run directory holding snapshots/")
    p.add_argument("--out", metavar="DIR", help="folder for the frames (default: RUN_DIR/render/<camera>-<tissue>[-<phase>…], one per kind of render)")
    p.add_argument("--movie", metavar="FILE", help="also write a movie: a .mp4 or .gif name (relative to --out)")
    p.add_argument("--fps", type=float, default=5.0, help="movie frames per second (default 5)")
    p.add_argument("--camera", default="clot", choices=["clot", "iso", "top", "side", "orbit"],
                   help="clot: zoom on the largest clot (whole domain without one); orbit: turn around it over the movie")
    p.add_argument("--tissue", default="slab", choices=["slab", "faint", "off"],
                   help="slab: septa, capillaries and agents cut to a slab around the clot; faint: all tissue, nearly transparent; off: none")
    p.add_argument("--phase", metavar="NAME", help="render only the snapshots of this phase (e.g. blood_flow)")
    p.add_argument("--steps", metavar="FIRST:LAST", help="render only snapshots with FIRST <= step <= LAST (either end optional)")
    p.add_argument("--species", metavar="NAME[,NAME…]", help="agent species to draw (default: all)")
    p.add_argument("--field", metavar="NAME", help="grid array to draw, e.g. cxcl13")
    p.add_argument("--field-style", default="iso", choices=["iso", "volume"], help="isosurfaces or a translucent volume")
    p.add_argument("--size", default="1280x720", metavar="WxH", help="frame size in pixels (rounded up to multiples of 16)")
    p.add_argument("--max-points", type=int, default=200_000, help="most points drawn per species (evenly subsampled)")
    p.add_argument("--jobs", type=int, help="parallel render processes (default: 1 below 8 frames, else up to 4)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from alveosim.render import gl

    try:
        from alveosim.render.driver import frame_size, parse_steps, render_folder_name, render_run
        from alveosim.render.frames import RenderOptions
        from alveosim.render.movie import check_movie_name, write_movie

        options = RenderOptions(size=frame_size(args.size), camera=args.camera, field=args.field,
                                field_style=args.field_style, max_points=args.max_points, tissue=args.tissue,
                                species=tuple(s.strip() for s in args.species.split(",")) if args.species else None)
        steps = parse_steps(args.steps)
        out = Path(args.out) if args.out else Path(args.run_dir) / "render" / render_folder_name(options, args.phase, steps)
        movie = check_movie_name(out / args.movie) if args.movie else None
        frames = render_run(args.run_dir, out, options, jobs=args.jobs, progress=not args.no_progress,
                            phase=args.phase, steps=steps)
        if movie is not None:
            write_movie(frames, movie, args.fps)
    except gl.RenderUnavailable as exc:
        err_console.print(f"alveosim render: {exc}", highlight=False, markup=False, soft_wrap=True)
        return 3
    except (FileNotFoundError, KeyError, ValueError) as exc:
        err_console.print(f"[bold red]cannot render:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    console.print(f"{len(frames)} frames in {out}" + (f", movie {movie}" if movie else ""), highlight=False)
    return 0
