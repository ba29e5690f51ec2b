"""``anneal-binn sweep DECLARATION``: specs x solvers x sizes x seeds on Dask, resumable, with TTS99 scaling.

Runs the tasks of a sweep declaration (a TOML file or a shipped name, e.g. ``perceptron-scaling``)
that have no result yet in ``--out``, on a local Dask cluster or on ``--scheduler ADDRESS``; every
finished task is saved at once, so the same command after a kill runs only what is missing. The
tidy table goes to ``OUT/results.parquet``. ``--report`` fits TTS99 vs N per solver (exponential
and power law, with uncertainties); ``--plot FILE`` draws it.
"""
from __future__ import annotations

from anneal_binn.commands.common import positive_int

HELP = "run a sweep (specs x solvers x sizes x seeds) on Dask, resumably; fit and plot TTS99 vs N"


def add_arguments(parser) -> None:
    parser.add_argument("declaration",
                        help="sweep declaration: a TOML file or a shipped name (e.g. perceptron-scaling)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="results folder, reused to resume (default: sweeps/<name>)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="an existing Dask scheduler (tcp://HOST:PORT); default: a LocalCluster here")
    parser.add_argument("--workers", type=positive_int, default=None,
                        help="LocalCluster worker processes (default: min(2, CPUs)); ignored with --scheduler")
    parser.add_argument("--limit", type=positive_int, default=None, help="run at most this many missing tasks")
    parser.add_argument("--retry-failed", action="store_true", help="also rerun tasks that failed last time")
    parser.add_argument("--no-run", action="store_true", help="run nothing: combine and report what is saved")
    parser.add_argument("--report", action="store_true", help="fit TTS99 vs N per solver and print the fits")
    parser.add_argument("--metric", default="tts99_s", choices=("tts99_s", "r99"),
                        help="what --report/--plot fit: TTS99 seconds, or r99 reads (time-free); default tts99_s")
    parser.add_argument("--plot", default=None, metavar="FILE", help="draw median TTS99 vs N with the fits (PNG)")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout and nothing else")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or status lines")


def _summary(df, metric: str) -> str:
    import numpy as np

    ok = df[df["status"] == "ok"]
    if ok.empty:
        return "no finished tasks"
    keys = ["solver"] + [c for c in df.columns if "." in c and not c.startswith("param.")] + ["N"]
    g = ok.groupby(keys, sort=True)
    lines = [" ".join(f"{k.rsplit('.', 1)[-1]:>10s}" for k in keys)
             + f" {'tasks':>6s} {'median p':>9s} {'median ' + ('TTS99 s' if metric == 'tts99_s' else 'r99'):>14s}"]
    for key, h in g:
        med = float(np.median(h[metric]))
        lines.append(" ".join(f"{v:>10}" if not isinstance(v, float) else f"{v:>10g}" for v in key)
                     + f" {len(h):6d} {float(np.median(h['success_probability'])):9.3f} {med:14.4g}")
    return "\n".join(lines)


def main(args) -> int:
    import sys
    from pathlib import Path

    from anneal_binn.commands.common import check_output_file, print_json
    from anneal_binn.sweep import load_sweep, run_sweep
    from anneal_binn.sweep import store

    sweep = load_sweep(args.declaration)
    out = Path(args.out) if args.out else Path("sweeps") / sweep.name
    plot = check_output_file(args.plot, "--plot") if args.plot else None
    quiet = args.quiet or args.json
    log = None if quiet else (lambda line: print(line, file=sys.stderr))
    if args.no_run:
        import pandas as pd

        tasks = sweep.tasks()
        df = store.table(tasks, store.load_rows(out), sweep.eps) if tasks else pd.DataFrame()
        if len(df):
            store.write(df, out)
    else:
        df = run_sweep(sweep, out, scheduler=args.scheduler, n_workers=args.workers,
                       progress=None if not quiet else False, retry_failed=args.retry_failed, limit=args.limit,
                       log=log)
    total = len(sweep.tasks())
    status = df["status"].value_counts().to_dict() if len(df) else {}
    fits = None
    if (args.report or plot) and len(df):
        from anneal_binn.sweep.scaling import fit_scaling, plot_scaling

        fits = fit_scaling(df, metric=args.metric)
        if plot:
            plot_scaling(df, fits, plot, metric=args.metric, title=f"{sweep.name}: {args.metric} vs N")
    results = out / "results.parquet"
    if args.json:
        print_json({"sweep": sweep.name, "out": str(out), "results": str(results), "tasks": total,
                    "finished": int(len(df)), "status": status, "missing": total - int(len(df)),
                    "fits": fits.to_dict(orient="records") if fits is not None else None,
                    "plot": str(plot) if plot else None})
        return 0
    counts = ", ".join(f"{k} {v}" for k, v in sorted(status.items())) or "none"
    print(f"{sweep.name}: {len(df)}/{total} tasks finished ({counts}); table: {results}")
    if len(df):
        print(_summary(df, args.metric))
        refs = sorted(df["reference"].dropna().unique())
        print(f"success = loss within eps of the reference per instance: {'; '.join(refs)}")
    if fits is not None and args.report:
        print(fits_text(fits))
    if plot:
        print(f"plot: {plot}")
    return 0 if status.get("error", 0) + status.get("lost", 0) == 0 else 1


def fits_text(fits) -> str:
    from anneal_binn.sweep.scaling import format_fits

    return format_fits(fits)
