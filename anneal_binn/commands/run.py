"""``anneal-binn run SPEC``: build, solve by the spec's route, decode and report the trained net."""
from __future__ import annotations

from anneal_binn.commands.common import add_solver_arguments, add_spec_argument

HELP = "build a spec's problem, solve it by its route (the fastest measured one) and report the trained net"

DEFAULT_SPEC = "digits4x4-logistic"  # the embedded default: real data, exact optimum shown beside the answer, about a second


def add_arguments(parser) -> None:
    add_spec_argument(parser, optional=True, default=DEFAULT_SPEC)
    add_solver_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout and nothing else")
    parser.add_argument("--out", help="directory to write report.json, samples.json and spec.json into")
    parser.add_argument("--no-exact", action="store_true", help="skip the exact optimum even when computable")
    parser.add_argument("--baseline", default=None, metavar="SOLVER",
                        help="classical baseline run beside the answer on the same instance and seed "
                             "(default: the spec's [run] baseline)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline")
    parser.add_argument("--plot", metavar="FILE",
                        help="write a figure (.png, .pdf, .svg): decision regions for 2-D data, weight images for "
                             "pixel inputs, else the reads' loss histogram (needs the plot extra)")


def format_report(doc: dict, problem) -> str:
    """The human-readable report of a :meth:`Result.to_dict` document."""
    b = doc["best"]
    t = doc["timing"]
    lines = [
        f"spec        {doc['spec']}: {doc['description']}",
        f"problem     N = {doc['num_variables']} variables ({', '.join(f'{v} {k}' for k, v in doc['roles'].items())}); "
        f"{doc['data']}, {doc['num_samples']['train']} train / {doc['num_samples']['test']} test samples; loss {doc['loss']}",
        f"solver      {doc['solver']} (seed {doc['seed']}, {doc['reads']} reads), "
        f"sampling {t.get('sample_s', 0):.3f} s, formulation {t.get('formulate_s', 0) + t.get('reduce_s', 0):.3f} s",
    ]
    f = doc.get("formulation")
    if f and f.get("route") != "landscape":
        parts = []
        if f.get("route") == "stability":
            parts.append(f"the training loss as a stability cost, one counter MPO per pattern ({f['patterns']} patterns); "
                         "no HUBO")
        if "hubo" in f:
            parts.append(f"HUBO {f['hubo'].get('method', 'fourier')}")
            if "num_terms" in f["hubo"]:
                parts[0] += f" ({f['hubo']['num_terms']:,} terms, degree {f['hubo']['max_degree']})"
        if "qubo" in f:
            q = f["qubo"]
            what = f"QUBO {q['encoding']} encoding" if "encoding" in q else "QUBO"
            parts.append(f"{what}, {q['num_variables']:,} variables, {q['num_interactions']:,} interactions"
                         + (f", coefficient range {q['coefficient_range']:.3g}" if "coefficient_range" in q else "")
                         + ("" if q.get("exact", True) else " (surrogate)"))
        lines.append(f"route       {'; '.join(parts)}")
    lines += [
        f"best loss   {b['loss']:.6g}",
        f"accuracy    train {b['accuracy']['train']:.4f}, test {b['accuracy']['test']:.4f} "
        f"(chance {doc['chance_accuracy']:.4f})",
    ]
    if doc["exact"]["optimum"] is not None:
        lines.append(f"exact       optimum {doc['exact']['optimum']:.6g} reached by {doc['exact']['num_optima']} "
                     f"configuration(s); gap {doc['gap']:.3g}")
    else:
        lines.append("exact       not computed (landscape too large)")
    base = doc.get("baseline")
    if base:
        verdict = {1: "the answer beats it", 0: "a tie", -1: "the answer LOSES to it"}[base["verdict"]]
        lines.append(f"baseline    {base['solver']}: best loss {base['best_loss']:.6g}, train {base['accuracy']['train']:.4f}, "
                     f"test {base['accuracy']['test']:.4f}, sampling {base['sample_s']:.3f} s; on training loss, {verdict}")
    lines.append("net")
    lines.append(problem.decode(b["sample"]).describe())
    lines.append("bits        " + "".join(str(v) for v in b["sample"]))
    return "\n".join(lines)


def baseline_summary(problem, name: str, seed: int, result) -> dict:
    """The classical baseline on the same instance, seed and number of reads, and whether the answer beats it."""
    from anneal_binn.pipeline import Pipeline

    base = Pipeline(problem, name).run(seed=seed, num_reads=len(result.sampleset), exact=False)
    mine, theirs = result.report.best.loss, base.report.best.loss
    tol = 1e-9 * max(1.0, abs(theirs))
    return {"solver": name, "best_loss": theirs,
            "accuracy": {"train": base.report.best.accuracy.train, "test": base.report.best.accuracy.test},
            "sample_s": base.timing["sample_s"], "verdict": 0 if abs(mine - theirs) <= tol else (1 if mine < theirs else -1)}


def main(args) -> int:
    from pathlib import Path

    from anneal_binn.commands.common import (check_output_dir, load_problem, mock_params, parse_params,
                                             print_json, print_warnings, route_options, write_json_atomic)
    from anneal_binn.pipeline import Pipeline, default_solver

    out = check_output_dir(args.out) if args.out else None
    if args.plot:
        from anneal_binn.plot import check_plot_file

        check_plot_file(args.plot)
    problem = load_problem(args.spec)
    if problem.spec.select:  # neuron selection (seed 001): anneal_binn.selection.report
        return _select(args, problem, out)
    name = args.solver or default_solver(problem)
    params = mock_params(args, name, parse_params(args.param))
    pipe = Pipeline(problem, name, params=params, **route_options(args))
    result = pipe.run(seed=args.seed, num_reads=args.num_reads, exact=False if args.no_exact else "auto")
    doc = result.to_dict()
    baseline = None if args.no_baseline else (args.baseline or problem.spec.run.get("baseline"))
    if baseline and baseline != name:
        doc["baseline"] = baseline_summary(problem, baseline, args.seed, result)
    if out is not None:
        write_json_atomic(out / "report.json", doc)
        write_json_atomic(out / "samples.json", result.sampleset.to_serializable(use_bytes=False))
        write_json_atomic(out / "spec.json", problem.spec.to_dict())
    if args.plot:
        from anneal_binn import plot

        plot.save(plot.result_figure(result), args.plot)
    if args.json:
        print_json(doc)
    else:
        print(format_report(doc, problem))
    print_warnings(result.warnings)
    return 0


def _select(args, problem, out) -> int:
    """``run`` on a spec with a ``[select]`` table: its method, and the methods it is compared with."""
    from anneal_binn.commands.common import mock_params, parse_params, print_json, route_options, write_json_atomic
    from anneal_binn.selection.report import format_report, run_spec

    if args.plot:
        from anneal_binn.errors import UsageError

        raise UsageError("--plot", "selection runs draw no figure; see notebooks/06_neuron_selection.ipynb")
    route = route_options(args)
    params = parse_params(args.param)
    if args.mock:
        params = mock_params(args, args.solver or "", params)
    doc = run_spec(problem, solver=args.solver, seed=args.seed, num_reads=args.num_reads, params=params,
                   qubo=route.get("qubo"), reduction=args.reduction if args.reduction != "auto" else None,
                   compare=[] if args.no_baseline else None)
    text = format_report(doc)
    doc.pop("_results")
    if out is not None:
        write_json_atomic(out / "report.json", doc)
        write_json_atomic(out / "spec.json", problem.spec.to_dict())
    if args.json:
        print_json(doc)
    else:
        print(text)
    return 0
