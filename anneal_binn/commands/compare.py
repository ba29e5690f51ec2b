"""``anneal-binn compare SPEC --solvers a,b,c``: the same problem through several solvers, one table.

Columns: reads, sampling time, best HUBO energy, best and mean true loss, success probability
(reads whose true loss is within eps of the exact optimum, or of the best loss any solver found
when the optimum is unknown), TTS99 per read time with its 95% interval, mean residual loss, and
the best net's train/test accuracy; a footer under the table defines each (:data:`COLUMNS`).
The exact solver enumerates instead of sampling: its row shows ``2^N`` configurations and no
success probability, TTS99 or residual. ``--json`` prints the rows as one JSON document,
``--csv FILE`` writes the table, ``--plot FILE`` draws TTS99 with its interval and the success
probability per solver.
"""
from __future__ import annotations

import math

from anneal_binn.commands.common import add_solver_arguments, add_spec_argument, nonnegative_float

HELP = "run several solvers on one spec and print success probability, TTS99, residual loss and accuracy"


def add_arguments(parser) -> None:
    add_spec_argument(parser)
    add_solver_arguments(parser, many=True, num_reads=100)
    parser.add_argument("--eps", type=nonnegative_float, default=1e-9, help="success tolerance, relative (default 1e-9)")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout and nothing else")
    parser.add_argument("--csv", metavar="FILE", help="also write the table as CSV (one row per solver)")
    parser.add_argument("--plot", metavar="FILE",
                        help="write TTS99 with its 95%% CI and the success probability per solver as a figure "
                             "(.png, .pdf, .svg; needs the plot extra)")


def compare_solvers(problem, names: list[str], seed: int = 0, num_reads: int = 100,
                    params: dict[str, dict] | None = None, eps: float = 1e-9, optimum: float | None = None,
                    route: dict | None = None) -> list[dict]:
    """One row per solver: its :meth:`Result.to_dict` document plus the comparison's columns.

    Every solver runs through the same :class:`~anneal_binn.pipeline.Pipeline` on the same
    instance with the same seed and read count. Each row adds ``optimum`` and ``reference`` (the
    exact optimum, or the best loss any solver found), ``success_probability`` within ``eps`` of
    it, ``tts99_s`` with its 95% interval ``tts99_ci`` and ``residual_loss``.

    Args:
        optimum: the exact optimal loss; computed from the landscape when N is small, else the best
            loss any solver found is used (reported as ``reference: "best known"``).
        route: ``hubo``/``qubo``/``reduction`` options for every solver.

    Examples:
        >>> import anneal_binn as ab
        >>> rows = compare_solvers(ab.build(ab.load_spec("fawaz-p1")), ["exact", "hubo-sa"], num_reads=10)
        >>> [r["solver"] for r in rows], rows[0]["success_probability"] > 0
        (['exact', 'hubo-sa'], True)
    """
    import numpy as np

    from anneal_binn import metrics
    from anneal_binn.errors import UsageError
    from anneal_binn.pipeline import Pipeline
    from anneal_binn.progress import progress

    if not names:
        raise UsageError("--solvers", "give at least one registry name, e.g. --solvers exact,sa,hubo-sa")
    params = params or {}
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise UsageError("--param", f"solver {unknown[0]!r} is not among --solvers ({', '.join(names)})")
    exact_known = optimum is None and problem.num_variables <= min(problem.landscape_limit, 22)
    results = [Pipeline(problem, name, params=params.get(name, {}), **(route or {}))
               .run(seed=seed, num_reads=num_reads, exact=exact_known)
               for name in progress(names, desc="solvers")]
    reference = "exact optimum"
    if optimum is None and exact_known:
        optimum = float(problem.exact().optimum)
    if optimum is None:
        optimum = float(min(r.report.losses.min() for r in results))
        reference = "best known"
    rows = []
    for r in results:
        # the one Result document, plus what only a comparison adds (the shared reference, TTS99)
        d = r.to_dict()
        w = r.sampleset.record.num_occurrences.astype(float)
        losses = r.report.losses
        reads = float(w.sum())
        successes = float(w[metrics.is_success(losses, optimum, eps)].sum())
        tts = metrics.tts99_ci(d["timing"]["sample_s"] / reads, successes, reads)
        d.update(kind="exact" if r.solver == "exact" else "sampler", optimum=optimum, reference=reference,
                 success_probability=successes / reads, tts99_s=tts.tts, tts99_ci=[tts.low, tts.high],
                 residual_loss=float(np.average(losses - optimum, weights=w)))
        rows.append(d)
    return rows


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    return f"{x:.3g}"


# (header, width, definition): the table's columns, in order; the footer prints the definitions
COLUMNS = (
    ("solver", 15, ("registry name; an exact row enumerates all 2^N configurations instead of sampling, "
                    "so it has no p_succ, TTS99 or resid")),
    ("reads", 6, "samples drawn (occurrences summed); for exact, the 2^N configurations enumerated"),
    ("time s", 8, "seconds spent sampling all reads (the time TTS99 uses); for exact, the enumeration"),
    ("best E", 9, ("lowest energy the solver returned, in the formulation it solved (HUBO/QUBO energy, "
                   "not the loss)")),
    ("best L", 9, "lowest true training loss among the reads (each read decoded and re-evaluated)"),
    ("mean L", 9, "mean true training loss over the reads"),
    ("p_succ", 7, "fraction of reads whose true loss is within eps (relative) of the reference loss"),
    ("TTS99 s", 9, "time to solution with 99% confidence: time per read x ln(0.01) / ln(1 - p_succ)"),
    ("95% CI", 19, ("TTS99 at the ends of the 95% Wilson interval of p_succ (inf: a success "
                    "probability of 0 is not excluded)")),
    ("resid", 8, "mean residual loss: mean L minus the reference loss (0 = every read optimal)"),
    ("acc tr", 7, "training accuracy of the best-loss net"),
    ("acc te", 7, "test accuracy of the best-loss net"),
)


def table_cells(row: dict) -> list:
    """The table's cells of one row, in :data:`COLUMNS` order (None where a column does not apply).

    Examples:
        >>> import anneal_binn as ab
        >>> rows = compare_solvers(ab.build(ab.load_spec("fawaz-p1")), ["exact"], num_reads=4)
        >>> table_cells(rows[0])[:2], table_cells(rows[0])[6:10]
        (['exact', '2^8'], [None, None, None, None])
    """
    exact = row.get("kind") == "exact"
    acc = row["best"]["accuracy"]
    return [
        row["solver"],
        f"2^{row['num_variables']}" if exact else row["reads"],
        row["timing"]["sample_s"],
        row["best_energy"],
        row["best"]["loss"],
        None if exact else row["mean_loss"],
        None if exact else row["success_probability"],
        None if exact else row["tts99_s"],
        None if exact else row["tts99_ci"],
        None if exact else row["residual_loss"],
        acc["train"],
        acc["test"],
    ]


def _cell(value, header: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if header == "reads":
        return str(value)
    if header == "95% CI":
        return f"[{_fmt(value[0])}, {_fmt(value[1])}]"
    if header in ("p_succ", "acc tr", "acc te"):
        return f"{value:.3f}"
    return _fmt(float(value))


def format_table(rows: list[dict], footer: bool = True) -> str:
    """The comparison table, and under it (``footer``) what every column means and the reference used."""
    head = " ".join(f"{h:{'<' if i == 0 else '>'}{w}s}" for i, (h, w, _) in enumerate(COLUMNS))
    lines = [head, "-" * len(head)]
    for r in rows:
        cells = [_cell(v, h) for v, (h, _, _) in zip(table_cells(r), COLUMNS)]
        lines.append(" ".join(f"{c:{'<' if i == 0 else '>'}{w}s}" for i, (c, (_, w, _)) in enumerate(zip(cells, COLUMNS))))
    if rows:
        lines.append(f"success = true loss within eps of the {rows[0]['reference']} {rows[0]['optimum']:.6g}; "
                     "TTS99 from the sampling time per read")
    if footer:
        lines.append("columns:")
        lines += [f"  {h:8s} {d}" for h, _, d in COLUMNS]
        lines.append("  reference: the exact optimum when the landscape can be enumerated, else the best loss "
                     "any solver found (\"best known\")")
    return "\n".join(lines)


CSV_FIELDS = ("solver", "kind", "reads", "sample_s", "best_energy", "best_loss", "mean_loss", "success_probability",
              "tts99_s", "tts99_ci_low", "tts99_ci_high", "residual_loss", "train_accuracy", "test_accuracy",
              "optimum", "reference")


def write_csv(rows: list[dict], path) -> None:
    """The table as CSV at ``path`` (written atomically), unrounded; empty cells where a column does not apply.

    Columns :data:`CSV_FIELDS`: the table's, with the interval split into ``tts99_ci_low`` and
    ``tts99_ci_high``, plus ``kind`` (exact or sampler), ``optimum`` and ``reference``. An exact
    row's ``reads`` is the 2^N configurations it enumerated.
    """
    import csv
    import io
    import os
    import tempfile
    from pathlib import Path

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for r in rows:
        c = table_cells(r)
        ci = c[8] or [None, None]
        w.writerow(["" if v is None else v for v in (
            r["solver"], r.get("kind", "sampler"), 2 ** r["num_variables"] if r.get("kind") == "exact" else r["reads"], c[2], c[3], c[4], c[5], c[6], c[7], ci[0], ci[1], c[9],
            c[10], c[11], r["optimum"], r["reference"])])
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", newline="") as f:
        f.write(buf.getvalue())
    os.replace(tmp, p)


def main(args) -> int:
    from anneal_binn.commands.common import load_problem, per_solver_params, print_json, print_warnings, route_options

    names = [n.strip() for n in args.solvers.split(",") if n.strip()]
    params = per_solver_params(args.param)
    if args.mock:
        if "qpu" not in names:
            from anneal_binn.errors import UsageError

            raise UsageError("--mock", "emulates the D-Wave QPU; add qpu to --solvers")
        params.setdefault("qpu", {}).update(mock=True)
    route = route_options(args)
    if args.csv:
        from anneal_binn.commands.common import check_output_file

        check_output_file(args.csv, "--csv")
    if args.plot:
        from anneal_binn.plot import check_plot_file

        check_plot_file(args.plot)
    problem = load_problem(args.spec)
    rows = compare_solvers(problem, names, args.seed, args.num_reads, params, args.eps, route=route)
    if args.csv:
        write_csv(rows, args.csv)
    if args.plot:
        from anneal_binn import plot

        plot.save(plot.tts_bars(rows), args.plot)
    if args.json:
        print_json({"spec": problem.name, "num_variables": problem.num_variables, "seed": args.seed, "rows": rows})
    else:
        print(f"{problem.name}: N = {problem.num_variables}")
        print(format_table(rows))
    print_warnings([f"{r['solver']}: {w}" for r in rows for w in r["warnings"]])
    return 0
