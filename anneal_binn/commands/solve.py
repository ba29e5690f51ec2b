"""``anneal-binn solve SPEC --solver NAME``: one solver, its samples and their true BiNN quality."""
from __future__ import annotations

from anneal_binn.commands.common import add_solver_arguments

HELP = "solve a spec with one registry solver and report energies, true losses and accuracy"


def add_arguments(parser) -> None:
    parser.add_argument("spec", nargs="?", help="catalogue name (e.g. fawaz-p1) or path to a TOML spec")
    parser.add_argument("--list", action="store_true", help="list the registered solvers and exit")
    add_solver_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout and nothing else")
    parser.add_argument("--out", help="write samples.json (dimod serializable) and report.json here")


def main(args) -> int:
    from anneal_binn import solvers
    from anneal_binn.commands.common import (check_output_dir, load_problem, mock_params, parse_params,
                                             print_json, print_warnings, route_options, write_json_atomic)
    from anneal_binn.errors import UsageError
    from anneal_binn.pipeline import Pipeline, default_solver

    if args.list:
        for name in solvers.available():
            e = solvers.entry(name)
            print(f"{name:16s} {e.input:7s} {('[' + e.extra + ']') if e.extra else '':6s} {e.summary}")
        return 0
    if not args.spec:
        raise UsageError("SPEC", "a catalogue name or TOML path is required (or --list)")
    out = check_output_dir(args.out) if args.out else None
    problem = load_problem(args.spec)
    name = args.solver or default_solver(problem)
    params = mock_params(args, name, parse_params(args.param))
    result = Pipeline(problem, name, params=params, **route_options(args)).run(seed=args.seed, num_reads=args.num_reads)
    doc = result.to_dict()
    if out is not None:
        write_json_atomic(out / "report.json", doc)
        write_json_atomic(out / "samples.json", result.sampleset.to_serializable(use_bytes=False))
    if args.json:
        print_json(doc)
    else:
        t = doc["timing"]
        print(f"spec         {doc['spec']} (N = {doc['num_variables']})")
        print(f"solver       {doc['solver']}, seed {doc['seed']}, {doc['reads']} reads, sampling {t['sample_s']:.3f} s")
        print(f"best energy  {doc['best_energy']:.6g}   best loss {doc['best']['loss']:.6g}   mean loss {doc['mean_loss']:.6g}")
        print(f"accuracy     train {doc['best']['accuracy']['train']:.4f}, test {doc['best']['accuracy']['test']:.4f}")
        if doc["exact"]["optimum"] is not None:
            print(f"exact        optimum {doc['exact']['optimum']:.6g}, gap {doc['gap']:.3g}, "
                  f"success probability {doc['success_probability']:.3f}")
        for key, value in doc["info"].items():
            if isinstance(value, (int, float)):
                print(f"{key:12s} {value:.6g}")
    print_warnings(result.warnings)
    return 0
