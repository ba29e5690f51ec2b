"""``anneal-binn landscape SPEC``: the exact landscape's optimum, W(S) spectrum and truncations."""
from __future__ import annotations

import time

from anneal_binn.commands.common import add_spec_argument, positive_int

HELP = "enumerate all 2^N configurations: optimum, number of optima, Fourier spectrum W(S), truncation quality"


def add_arguments(parser) -> None:
    add_spec_argument(parser)
    parser.add_argument("--max-degree", type=positive_int, action="append", help="report a degree truncation (repeatable)")
    parser.add_argument("--limit", type=positive_int, help="largest N to enumerate (default 26)")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    parser.add_argument("--plot", metavar="FILE",
                        help="write the density of states and W(S) as a figure (.png, .pdf, .svg; needs the plot extra)")


def main(args) -> int:
    from anneal_binn.commands.common import load_problem, print_json

    if args.plot:
        from anneal_binn.plot import check_plot_file

        check_plot_file(args.plot)
    problem = load_problem(args.spec)
    t0 = time.perf_counter()
    L = problem.landscape(limit=args.limit)
    t1 = time.perf_counter()
    ex = problem.exact()
    W = problem.spectrum()
    truncs = [problem.fourier(max_degree=d)[1].to_dict() for d in (args.max_degree or [1, 2, 3])]
    doc = {
        "spec": problem.name,
        "num_variables": problem.num_variables,
        "landscape_time_s": t1 - t0,
        "configs_samples_per_s": L.size * len(problem.data.y_train) / max(t1 - t0, 1e-9),
        "exact": {"optimum": ex.optimum, "num_optima": ex.num_optima, "optima": ex.optima[:20].tolist()},
        "mean_loss": float(L.mean()),
        "W": W.tolist(),
        "truncations": truncs,
    }
    if args.plot:
        from anneal_binn import plot

        plot.save(plot.landscape_figure(problem), args.plot)
    if args.json:
        print_json(doc)
        return 0
    print(f"{problem.name}: N = {problem.num_variables}, 2^N = {L.size:,} configurations in {t1 - t0:.3f} s")
    print(f"optimum {ex.optimum:.6g}, reached by {ex.num_optima} configuration(s); mean loss {L.mean():.6g}")
    print("W(S) (seed 002 Eq. 9):")
    for s, w in enumerate(W):
        if w > 0:
            print(f"  S={s:>2}  {w:.4e}")
    for t in truncs:
        print(f"degree <= {t['max_degree']}: {t['kept_terms']} terms, rms error {t['rms_error']:.3g}, "
              f"max error {t['max_error']:.3g}, ground state true-loss rank {t['rank']}")
    return 0
