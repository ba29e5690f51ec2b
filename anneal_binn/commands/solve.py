"""``anneal-binn solve SPEC --solver NAME``: one solver, its samples and their true BiNN quality."""
from __future__ import annotations

import json
import sys

from anneal_binn.commands.common import load_problem, print_json, write_json_atomic

HELP = "solve a spec with one registry solver and report energies, true losses and accuracy"


def parse_params(items: list[str] | None) -> dict:
    """``KEY=VALUE`` pairs; values are parsed as JSON when they can be (numbers, lists, true)."""
    params = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"--param: expected KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        try:
            params[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            params[key.strip()] = value
    return params


def add_arguments(parser) -> None:
    parser.add_argument("spec", nargs="?", help="catalogue name (e.g. fawaz-p1) or path to a TOML spec")
    parser.add_argument("--solver", default=None, help="registry name (see --list); default: exact when small, else sa")
    parser.add_argument("--list", action="store_true", help="list the registered solvers and exit")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--num-reads", type=int, default=None, help="reads/samples")
    parser.add_argument("--param", action="append", metavar="KEY=VALUE",
                        help="solver parameter, repeatable (e.g. --param num_sweeps=500 --param mock=true)")
    parser.add_argument("--reduction", default="auto", help="HUBO->QUBO method for QUBO solvers (default auto)")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout and nothing else")
    parser.add_argument("--out", help="write samples.json (dimod serializable) and report.json here")


def solve_report(problem, solver, seed, num_reads, params, reduction="auto"):
    """(report dict, sample set) for one solver run."""
    import numpy as np

    from anneal_binn import metrics
    from anneal_binn.solve import default_solver, solve

    name = solver or default_solver(problem)
    ss = solve(problem, solver=name, seed=seed, num_reads=num_reads, reduction=reduction, **params)
    rep = problem.evaluate(ss)
    t = ss.info.get("timing", {})
    doc = {
        "spec": problem.name,
        "num_variables": problem.num_variables,
        "solver": name,
        "seed": seed,
        "params": params,
        "reads": int(ss.record.num_occurrences.sum()),
        "timing": t,
        "best_energy": float(ss.record.energy.min()),
        "best_loss": rep.best.loss,
        "accuracy": {"train": rep.best.accuracy.train, "test": rep.best.accuracy.test},
        "optimum": rep.optimum,
        "gap": rep.gap,
        "best_sample": [int(rep.best.sample[v]) for v in problem.variables],
        "reduction": ss.info.get("reduction"),
    }
    if rep.optimum is not None:
        w = ss.record.num_occurrences
        doc["success_probability"] = float(w[metrics.is_success(rep.losses, rep.optimum)].sum() / w.sum())
    for key in ("ground_state_probability", "min_gap", "chain_break_fraction", "chain_strength", "truncation_error"):
        if key in ss.info:
            doc[key] = ss.info[key]
    doc["mean_loss"] = float(np.average(rep.losses, weights=ss.record.num_occurrences))
    return doc, ss


def main(args) -> int:
    from anneal_binn import solvers
    from anneal_binn.solvers.qpu import QPUError

    if args.list:
        for name in solvers.available():
            e = solvers.entry(name)
            print(f"{name:16s} {e.input:5s} {('[' + e.extra + ']') if e.extra else '':6s} {e.summary}")
        return 0
    if not args.spec:
        print("anneal-binn solve: error: SPEC is required (or --list)", file=sys.stderr)
        return 2
    problem = load_problem(args.spec)
    try:
        params = parse_params(args.param)
        doc, ss = solve_report(problem, args.solver, args.seed, args.num_reads, params, args.reduction)
    except (QPUError, ValueError, TypeError) as exc:
        print(f"anneal-binn solve: error: {exc}", file=sys.stderr)
        return 2
    if args.out:
        from pathlib import Path

        write_json_atomic(Path(args.out) / "report.json", doc)
        write_json_atomic(Path(args.out) / "samples.json", ss.to_serializable(use_bytes=False))
    if args.json:
        print_json(doc)
        return 0
    print(f"spec         {doc['spec']} (N = {doc['num_variables']})")
    print(f"solver       {doc['solver']}, seed {doc['seed']}, {doc['reads']} reads, "
          f"sampling {doc['timing'].get('sample_s', float('nan')):.3f} s")
    print(f"best energy  {doc['best_energy']:.6g}   best loss {doc['best_loss']:.6g}   mean loss {doc['mean_loss']:.6g}")
    print(f"accuracy     train {doc['accuracy']['train']:.4f}, test {doc['accuracy']['test']:.4f}")
    if doc["optimum"] is not None:
        print(f"exact        optimum {doc['optimum']:.6g}, gap {doc['gap']:.3g}, "
              f"success probability {doc['success_probability']:.3f}")
    for key in ("ground_state_probability", "min_gap", "chain_break_fraction", "chain_strength", "truncation_error"):
        if key in doc:
            print(f"{key:12s} {doc[key]:.6g}")
    return 0
