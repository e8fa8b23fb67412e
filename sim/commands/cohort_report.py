"""``alveosim cohort-report SWEEP_DIR --marker COLUMN@TIME --outcome EXPR``."""

from rich.markup import escape

from alveosim.commands.common import console, err_console


def register(sub):
    p = sub.add_parser("cohort-report", help="biomarker report of a virtual cohort (a sweep): ROC, AUC with bootstrap CI, figure")
    p.add_argument("sweep_dir", metavar="SWEEP_DIR", help="a sweep directory")
    p.add_argument("--marker", required=True, metavar="COLUMN[@TIME]",
                   help="time-series column at a simulated time, e.g. plasma_sev_b2_per_mL@1d (default time: the end)")
    p.add_argument("--outcome", required=True, metavar="EXPRESSION",
                   help="true/false per member from the results table, e.g. 'im_reprogrammed_fraction > 0.3'")
    p.add_argument("--bootstrap", type=int, default=2000, metavar="N", help="bootstrap resamples for the AUC's 95%% CI (default 2000)")
    p.add_argument("--out", metavar="DIR", help="folder for the figure, roc.csv and cohort_report.json (default: SWEEP_DIR/cohort)")
    p.set_defaults(func=run)


def run(args) -> int:
    from alveosim.sweep.cohort import cohort_report

    if args.bootstrap < 1:
        err_console.print("--bootstrap must be at least 1")
        return 2
    try:
        report = cohort_report(args.sweep_dir, args.marker, args.outcome, args.out, n_boot=args.bootstrap)
    except (FileNotFoundError, ValueError, KeyError, ImportError) as exc:
        err_console.print(f"[bold red]cannot report:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    lo, hi = report["auc_ci95"]
    console.print(f"{report['marker']} for {report['outcome']}: AUC {report['auc']:.3f} (95% CI {lo:.3f}–{hi:.3f}, "
                  f"{report['bootstrap_resamples']} bootstrap resamples), {report['positives']} of {report['members']} members positive",
                  highlight=False)
    console.print(f"figure: {report['figure']}; ROC: {report['roc']}", highlight=False)
    return 0
