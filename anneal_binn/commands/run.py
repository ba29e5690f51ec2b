"""``anneal-binn run SPEC``: build, solve with the default local solver, decode and report."""
from __future__ import annotations

import time

from anneal_binn.commands.common import load_problem, print_json, write_json_atomic

HELP = "build a spec's problem, solve it (exact when small, else simulated annealing) and report the trained net"


DEFAULT_SPEC = "digits4x4-logistic"  # the embedded default: real data, exact answer, about a second


def add_arguments(parser) -> None:
    parser.add_argument("spec", nargs="?", default=DEFAULT_SPEC,
                        help=f"catalogue name or path to a TOML spec (default: {DEFAULT_SPEC})")
    parser.add_argument("--solver", help="registry name (default: exact for N <= 20, else sa)")
    parser.add_argument("--seed", type=int, default=0, help="solver seed (default 0)")
    parser.add_argument("--num-reads", type=int, help="number of reads/samples")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout and nothing else")
    parser.add_argument("--out", help="directory to write report.json and samples.json into")
    parser.add_argument("--no-exact", action="store_true", help="skip the exact optimum even when computable")


def run_report(problem, solver=None, seed=0, num_reads=None, exact: bool = True) -> tuple[dict, object]:
    """Solve and evaluate; returns (the JSON report, the sample set)."""
    from anneal_binn.solve import default_solver, solve

    name = solver or default_solver(problem)
    t0 = time.perf_counter()
    ss = solve(problem, solver=name, seed=seed, num_reads=num_reads)
    solve_time = time.perf_counter() - t0
    computable = exact and problem.num_variables <= min(problem.landscape_limit, 22)
    report = problem.evaluate(ss, exact=computable)
    wall = time.perf_counter() - t0
    reg = problem.register
    doc = {
        "spec": problem.name,
        "description": problem.spec.description,
        "num_variables": problem.num_variables,
        "roles": {k: reg.count(k) for k in ("weight", "bias", "mask", "neuron", "activation", "width") if reg.count(k)},
        "num_samples": {"train": int(len(problem.data.y_train)), "test": int(len(problem.data.y_test))},
        "data": problem.data.name,
        "loss": problem.arch.loss,
        "solver": name,
        "seed": seed,
        "num_reads": len(ss),
        "wall_time_s": wall,
        "solve_time_s": solve_time,
        "exact": {"optimum": report.optimum, "num_optima": report.num_optima},
        "gap": report.gap,
        "best": report.to_dict()["best"],
    }
    return doc, ss


def format_report(doc: dict, problem) -> str:
    b = doc["best"]
    lines = [
        f"spec        {doc['spec']}: {doc['description']}",
        f"problem     N = {doc['num_variables']} variables ({', '.join(f'{v} {k}' for k, v in doc['roles'].items())}); "
        f"{doc['data']}, {doc['num_samples']['train']} train / {doc['num_samples']['test']} test samples; loss {doc['loss']}",
        f"solver      {doc['solver']} (seed {doc['seed']}, {doc['num_reads']} reads), wall time {doc['wall_time_s']:.3f} s",
        f"best loss   {b['loss']:.6g}",
        f"accuracy    train {b['accuracy']['train']:.4f}, test {b['accuracy']['test']:.4f}",
    ]
    if doc["exact"]["optimum"] is not None:
        lines.append(f"exact       optimum {doc['exact']['optimum']:.6g} reached by {doc['exact']['num_optima']} "
                     f"configuration(s); gap {doc['gap']:.3g}")
    else:
        lines.append("exact       not computed (landscape too large)")
    lines.append("net")
    lines.append(problem.decode(b["sample"]).describe())
    lines.append("bits        " + "".join(str(v) for v in b["sample"]))
    return "\n".join(lines)


def main(args) -> int:
    problem = load_problem(args.spec)
    doc, ss = run_report(problem, args.solver, args.seed, args.num_reads, exact=not args.no_exact)
    if args.out:
        from pathlib import Path

        out = Path(args.out)
        write_json_atomic(out / "report.json", doc)
        write_json_atomic(out / "samples.json", ss.to_serializable())
        write_json_atomic(out / "spec.json", problem.spec.to_dict())
    if args.json:
        print_json(doc)
    else:
        print(format_report(doc, problem))
    return 0
