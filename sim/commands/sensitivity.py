"""``alveosim sensitivity SWEEP_DIR``: Morris or Sobol indices of a sampled sweep."""

from rich.markup import escape

from alveosim.commands.common import console, err_console


def register(sub):
    p = sub.add_parser("sensitivity", help="global sensitivity (Morris or Sobol, SALib) of a sweep sampled with method: morris or sobol")
    p.add_argument("sweep_dir", metavar="SWEEP_DIR", help="a finished sweep directory")
    p.add_argument("--output", dest="outputs", action="append", metavar="COLUMN",
                   help="output column of the results table (repeatable; default: every end-of-run output)")
    p.add_argument("--out", metavar="DIR", help="folder for sensitivity.csv and the bar charts (default: SWEEP_DIR/sensitivity)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from rich.table import Table

    from alveosim.sweep.sensitivity import plot_sensitivity, sensitivity

    try:
        indices = sensitivity(args.sweep_dir, args.outputs)
    except (FileNotFoundError, ValueError, KeyError, ImportError) as exc:
        err_console.print(f"[bold red]cannot analyse:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    out = Path(args.out) if args.out else Path(args.sweep_dir) / "sensitivity"
    out.mkdir(parents=True, exist_ok=True)
    indices.to_csv(out / "sensitivity.csv", index=False)
    figures = plot_sensitivity(indices, out)
    table = Table(title=f"{indices['method'].iloc[0]} indices (95% CI half-width)")
    for column in ("output", "rank", "parameter", "index", "conf"):
        table.add_column(column)
    for _, row in indices.iterrows():
        table.add_row(row["output"], str(row["rank"]), row["parameter"], f"{row['index']:.4g}", f"{row['conf']:.3g}")
    console.print(table)
    console.print(f"{out / 'sensitivity.csv'}; figures: {', '.join(p.name for p in figures)}", highlight=False)
    return 0
