"""``anneal-binn compare SPEC --solvers a,b,c``: the same problem through several solvers, one table.

Columns: reads, sampling time, best HUBO energy, best and mean true loss, success probability
(reads whose true loss is within eps of the exact optimum, or of the best loss any solver found
when the optimum is unknown), TTS99 per read time with its 95% interval, mean residual loss, and
the best net's train/test accuracy. ``--json`` prints the rows as one JSON document.
"""
from __future__ import annotations

import math
import sys

from anneal_binn.commands.common import load_problem, print_json

HELP = "run several solvers on one spec and print success probability, TTS99, residual loss and accuracy"


def add_arguments(parser) -> None:
    parser.add_argument("spec", help="catalogue name (e.g. fawaz-p1) or path to a TOML spec")
    parser.add_argument("--solvers", default="exact,sa,hubo-sa", help="comma-separated registry names")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--num-reads", type=int, default=100, help="reads per solver (default 100)")
    parser.add_argument("--param", action="append", metavar="SOLVER.KEY=VALUE",
                        help="a parameter for one solver, repeatable (e.g. --param sa.num_sweeps=200)")
    parser.add_argument("--mock", action="store_true", help="run qpu on the offline Pegasus mock")
    parser.add_argument("--eps", type=float, default=1e-9, help="success tolerance, relative (default 1e-9)")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout and nothing else")


def per_solver_params(items: list[str] | None) -> dict[str, dict]:
    from anneal_binn.commands.solve import parse_params

    out: dict[str, dict] = {}
    for item in items or []:
        head, _, _ = item.partition("=")
        if "." not in head:
            raise ValueError(f"--param: expected SOLVER.KEY=VALUE, got {item!r}")
        solver, key = head.split(".", 1)
        out.setdefault(solver, {}).update(parse_params([key + item[len(head):]]))
    return out


def compare_solvers(problem, names: list[str], seed: int = 0, num_reads: int = 100,
                    params: dict[str, dict] | None = None, eps: float = 1e-9, optimum: float | None = None) -> list[dict]:
    """One row per solver: timing, energies, true losses, success probability, TTS99, accuracy.

    Args:
        optimum: the exact optimal loss; computed from the landscape when N is small, else the best
            loss any solver found is used (reported as ``reference: "best known"``).

    Examples:
        >>> import anneal_binn as ab
        >>> rows = compare_solvers(ab.build(ab.load_spec("fawaz-p1")), ["exact", "hubo-sa"], num_reads=10)
        >>> [r["solver"] for r in rows], rows[0]["success_probability"] > 0
        (['exact', 'hubo-sa'], True)
    """
    import numpy as np

    from anneal_binn import metrics
    from anneal_binn.solve import solve

    params = params or {}
    runs = []
    for name in names:
        ss = solve(problem, solver=name, seed=seed, num_reads=num_reads, **params.get(name, {}))
        bits = problem.sample_bits(ss)
        losses = problem.losses(bits)
        runs.append((name, ss, bits, losses))
    reference = "exact optimum"
    if optimum is None and problem.num_variables <= min(problem.landscape_limit, 22):
        optimum = float(problem.exact().optimum)
    if optimum is None:
        optimum = float(min(l.min() for _, _, _, l in runs))
        reference = "best known"
    rows = []
    for name, ss, bits, losses in runs:
        w = ss.record.num_occurrences.astype(float)
        reads = float(w.sum())
        ok = metrics.is_success(losses, optimum, eps)
        successes = float(w[ok].sum())
        t_read = ss.info.get("timing", {}).get("sample_s", float("nan")) / reads
        tts = metrics.tts99_ci(t_read, successes, reads)
        best = int(np.argmin(losses))
        rows.append({
            "solver": name,
            "reads": int(reads),
            "sample_s": ss.info.get("timing", {}).get("sample_s"),
            "best_energy": float(ss.record.energy.min()),
            "best_loss": float(losses[best]),
            "mean_loss": float(np.average(losses, weights=w)),
            "optimum": optimum,
            "reference": reference,
            "success_probability": successes / reads,
            "tts99_s": tts.tts,
            "tts99_ci": [tts.low, tts.high],
            "residual_loss": float(np.average(losses - optimum, weights=w)),
            "train_accuracy": float(problem.accuracy(bits[best:best + 1], "train")[0]),
            "test_accuracy": float(problem.accuracy(bits[best:best + 1], "test")[0]),
            "reduction": ss.info.get("reduction"),
        })
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
        lines.append(
            f"{r['solver']:15s} {r['reads']:6d} {_fmt(r['sample_s']):>8s} {_fmt(r['best_energy']):>9s} "
            f"{_fmt(r['best_loss']):>9s} {_fmt(r['mean_loss']):>9s} {r['success_probability']:7.3f} "
            f"{_fmt(r['tts99_s']):>9s} {ci:>19s} {_fmt(r['residual_loss']):>8s} "
            f"{r['train_accuracy']:7.3f} {r['test_accuracy']:7.3f}"
        )
    if rows:
        lines.append(f"success = true loss within eps of the {rows[0]['reference']} {rows[0]['optimum']:.6g}; "
                     "TTS99 from the sampling time per read")
    return "\n".join(lines)


def main(args) -> int:
    from anneal_binn.solvers.qpu import QPUError

    names = [n.strip() for n in args.solvers.split(",") if n.strip()]
    try:
        params = per_solver_params(args.param)
        if args.mock:
            params.setdefault("qpu", {}).update(mock=True)
        problem = load_problem(args.spec)
        rows = compare_solvers(problem, names, args.seed, args.num_reads, params, args.eps)
    except (QPUError, ValueError, TypeError) as exc:
        print(f"anneal-binn compare: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print_json({"spec": problem.name, "num_variables": problem.num_variables, "seed": args.seed, "rows": rows})
    else:
        print(f"{problem.name}: N = {problem.num_variables}")
        print(format_table(rows))
    return 0
