"""``alveosim lattice CONFIG``: generate the config's lung lattice, solve the
capillary flow and print the geometry and flow report; ``--slice PNG``
writes a slice image (needs matplotlib, the ``render`` extra)."""

from alveosim.channels import LABELS, OCCLUDED, VELOCITY
from alveosim.commands.common import add_config_arguments, console, err_console, load_from_args


def register(sub):
    p = sub.add_parser("lattice", help="generate the lung lattice, solve the flow and print the geometry report")
    add_config_arguments(p)
    p.add_argument("--slice", metavar="PNG", help="write a slice image (labels and blood speed) to PNG")
    p.add_argument("--axis", choices=["x", "y", "z"], default="z", help="axis normal to the slice (default z)")
    p.add_argument("--index", type=int, help="voxel index of the slice along --axis (default: the middle)")
    p.set_defaults(func=run)


def run(args) -> int:
    import time

    from rich.table import Table

    from alveosim.backend import select_backend
    from alveosim.lattice.flow import Flow
    from alveosim.lattice.generate import generate
    from alveosim.lattice.report import geometry_report
    from alveosim.state import State

    cfg = load_from_args(args)
    if cfg is None:
        return 2
    if cfg.lattice is None:
        err_console.print(f"{args.config}: no 'lattice:' section; add one (see configs/lattice_mouse.yaml)")
        return 2
    if args.slice:
        _require_matplotlib()
    backend = select_backend(cfg.backend)
    shape, voxel = cfg.domain.shape, cfg.domain.voxel
    t0 = time.perf_counter()
    lattice = generate(backend, shape, voxel, cfg.lattice, cfg.seed)
    backend.synchronize()
    t_gen = time.perf_counter() - t0
    report = geometry_report(backend, lattice, voxel)
    state = State(backend, cfg.seed)
    state.arrays[LABELS] = lattice.labels
    state.arrays[OCCLUDED] = backend.xp.zeros(shape, dtype="uint8")
    t0 = time.perf_counter()
    solution = Flow.from_config(backend, cfg).solve(state)
    t_flow = time.perf_counter() - t0
    v = state.values

    table = Table(title=f"lattice of {cfg.name} ({cfg.lattice.species}, seed {cfg.seed})", show_header=False)
    rows = [
        ("backend", backend.description),
        ("voxels", f"{shape[0]} x {shape[1]} x {shape[2]} of {voxel:g} um ({report['voxels']:,})"),
        ("alveolar diameter", f"{report['alveolar_diameter_mean_um']:.1f} +/- {report['alveolar_diameter_sd_um']:.1f} um "
                              f"(target {cfg.lattice.alveolar_diameter:g}; {report['alveoli_measured']} interior alveoli)"),
        ("septal volume fraction", f"{report['septal_volume_fraction']:.3f}"),
        ("capillary volume fraction", f"{report['capillary_volume_fraction']:.3f}"),
        ("capillary share of septum", f"{report['capillary_share_of_septum']:.3f} (posts {report['post_share_of_septum']:.3f})"),
        ("capillary connected inlet-outlet", f"{report['capillary_connected_fraction']:.4f}"),
        ("mean blood speed", f"{v['flow_mean_speed_um_s'] / 1000:.3f} mm/s"),
        ("flow rate", f"{v['flow_rate_um3_s']:.4g} um^3/s (out {solution.outflow:.4g})"),
        ("transit time (acinar path)", f"{v['flow_transit_time_s']:.3f} s over {cfg.lattice.flow.acinar_path:g} um"),
        ("transit time (this domain)", f"{v['flow_domain_transit_time_s']:.3f} s"),
        ("pressure drop", f"{v['flow_pressure_drop_Pa']:.1f} Pa ({v['flow_pressure_drop_Pa'] / 133.322:.2f} mmHg)"),
        ("CG iterations", f"{solution.iterations}"),
        ("generation / flow solve", f"{t_gen:.2f} s / {t_flow:.2f} s"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    if args.slice:
        _write_slice(args.slice, backend, state, args.axis, args.index)
        console.print(f"slice written to {args.slice}")
    return 0


def _require_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SystemExit("--slice needs matplotlib: pip install 'alveosim[render]' (or pip install matplotlib)") from None


def _write_slice(path, backend, state, axis: str, index: int | None) -> None:
    """Two panels: voxel labels and blood speed (mm/s) on one slice."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import ListedColormap

    from alveosim import labels as L

    a = "xyz".index(axis)
    labels = backend.to_host(state.arrays[LABELS])
    speed = np.linalg.norm(backend.to_host(state.arrays[VELOCITY]), axis=-1) / 1000.0
    i = labels.shape[a] // 2 if index is None else index
    if not 0 <= i < labels.shape[a]:
        raise SystemExit(f"--index {i} is outside 0..{labels.shape[a] - 1}")
    lab = np.take(labels, i, axis=a).T
    spd = np.take(speed, i, axis=a).T
    colours = ["#f4f4f4", "#e8a0a0", "#b01818", "#5a2a2a", "#1f5fbf", "#20a040"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5))
    left.imshow(lab, origin="lower", cmap=ListedColormap(colours), vmin=-0.5, vmax=len(colours) - 0.5, interpolation="nearest")
    left.set_title(" / ".join(L.NAMES[k] for k in sorted(L.NAMES)), fontsize=8)
    im = right.imshow(np.ma.masked_where(spd == 0, spd), origin="lower", cmap="viridis", interpolation="nearest")
    fig.colorbar(im, ax=right, label="blood speed (mm/s)")
    right.set_title("blood speed")
    fig.suptitle(f"slice {axis} = {i}")
    fig.savefig(path, dpi=120)
    plt.close(fig)
