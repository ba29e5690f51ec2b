"""``anneal-binn compare SPEC --solvers a,b,c``: the same problem through several solvers, one table.

Columns: reads, sampling time, best HUBO energy, best and mean true loss, success probability
(reads whose true loss is within eps of the exact optimum, or of the best loss any solver found
when the optimum is unknown), TTS99 per read time with its 95% interval, mean residual loss, and
the best net's train/test accuracy. ``--json`` prints the rows as one JSON document.
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


def format_table(rows: list[dict]) -> str:
    head = f"{'solver':15s} {'reads':>6s} {'time s':>8s} {'best E':>9s} {'best L':>9s} {'mean L':>9s} " \
           f"{'p_succ':>7s} {'TTS99 s':>9s} {'95% CI':>19s} {'resid':>8s} {'acc tr':>7s} {'acc te':>7s}"
    lines = [head, "-" * len(head)]
    for r in rows:
        ci = f"[{_fmt(r['tts99_ci'][0])}, {_fmt(r['tts99_ci'][1])}]"
        acc = r["best"]["accuracy"]
        lines.append(
            f"{r['solver']:15s} {r['reads']:6d} {_fmt(r['timing']['sample_s']):>8s} {_fmt(r['best_energy']):>9s} "
            f"{_fmt(r['best']['loss']):>9s} {_fmt(r['mean_loss']):>9s} {r['success_probability']:7.3f} "
            f"{_fmt(r['tts99_s']):>9s} {ci:>19s} {_fmt(r['residual_loss']):>8s} "
            f"{acc['train']:7.3f} {acc['test']:7.3f}"
        )
    if rows:
        lines.append(f"success = true loss within eps of the {rows[0]['reference']} {rows[0]['optimum']:.6g}; "
                     "TTS99 from the sampling time per read")
    return "\n".join(lines)


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
    problem = load_problem(args.spec)
    rows = compare_solvers(problem, names, args.seed, args.num_reads, params, args.eps, route=route)
    if args.json:
        print_json({"spec": problem.name, "num_variables": problem.num_variables, "seed": args.seed, "rows": rows})
    else:
        print(f"{problem.name}: N = {problem.num_variables}")
        print(format_table(rows))
    print_warnings([f"{r['solver']}: {w}" for r in rows for w in r["warnings"]])
    return 0
