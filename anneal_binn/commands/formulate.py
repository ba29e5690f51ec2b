"""``anneal-binn formulate SPEC --reduce METHOD --format F -o FILE``: write a HUBO or reduced QUBO.

Problem -> ``to_hubo`` (Fourier by default, optionally truncated) -> ``reduce`` -> export. For QUBO
formats the reduction record is written beside the file as ``FILE.reduction.json``.
"""
from __future__ import annotations

import time

from anneal_binn.commands.common import add_spec_argument, load_problem, print_json

HELP = "write the problem's HUBO, or its reduced QUBO, to a file (bqm-json, coo, qubo, lp, ising-json, qiskit, hubo-json)"


def add_arguments(parser) -> None:
    from anneal_binn.export import FORMATS
    from anneal_binn.reduction import METHODS

    add_spec_argument(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="output file")
    parser.add_argument("--format", choices=FORMATS, help="file format (default: from FILE's extension)")
    parser.add_argument("--reduce", choices=METHODS, default="auto", metavar="METHOD",
                        help=f"HUBO->QUBO reduction: {', '.join(METHODS)} (default auto)")
    parser.add_argument("--vartype", choices=["BINARY", "SPIN"], default="BINARY")
    parser.add_argument("--hubo-method", default="fourier", help="Problem.to_hubo method (default fourier)")
    parser.add_argument("--max-degree", type=int, help="truncate the Fourier HUBO to this degree")
    parser.add_argument("--threshold", type=float, help="drop Fourier coefficients below this magnitude")
    parser.add_argument("--seed", type=int, default=0, help="seed of the cover search (auto/cover)")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")


def main(args) -> int:
    from anneal_binn import export

    fmt = export.format_for(args.output, args.format)
    problem = load_problem(args.spec)
    t0 = time.perf_counter()
    model, red = export.formulate(
        problem,
        args.output,
        format=fmt,
        reduce=args.reduce,
        vartype=args.vartype,
        max_degree=args.max_degree,
        threshold=args.threshold,
        hubo_method=args.hubo_method,
        seed=args.seed,
    )
    doc = {
        "spec": problem.name,
        "format": fmt,
        "output": str(args.output),
        "num_variables": problem.num_variables,
        "seconds": time.perf_counter() - t0,
    }
    if red is None:
        doc.update(kind="hubo", num_terms=len(model), max_degree=max((len(t) for t in model), default=0))
    else:
        doc.update(
            kind="qubo",
            reduction=red.method,
            reduction_file=str(args.output) + export.REDUCTION_SUFFIX,
            num_ancillas=red.num_ancillas,
            num_qubo_variables=len(model.variables),
            num_interactions=model.num_interactions,
            max_penalty=red.max_penalty,
        )
    if args.json:
        print_json(doc)
    else:
        what = (f"HUBO with {doc['num_terms']} terms" if red is None else
                f"QUBO with {doc['num_qubo_variables']} variables ({doc['num_ancillas']} ancillas, "
                f"{doc['reduction']}), {doc['num_interactions']} interactions; record in {doc['reduction_file']}")
        print(f"{problem.name}: wrote {what} to {args.output} [{fmt}]")
    return 0
