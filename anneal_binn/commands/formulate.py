"""``anneal-binn formulate SPEC --reduce METHOD [--format F] -o FILE``: write a HUBO or reduced QUBO.

Problem -> ``to_hubo`` (Fourier by default, optionally truncated) -> ``reduce`` -> export. For QUBO
formats the reduction record is written beside the file as ``FILE.reduction.json``. The format
comes from ``--format`` or the file's extension (``.bqm.json``, ``.hubo.json``, ``.ising.json``,
``.pauli.json``, ``.coo``, ``.qubo``, ``.lp``; a plain ``.json`` is a reduced QUBO in bqm-json).
"""
from __future__ import annotations

import time

from anneal_binn.commands.common import add_spec_argument, positive_int, seed_int

HELP = "write the problem's HUBO, or its reduced QUBO, to a file (bqm-json, coo, qubo, lp, ising-json, qiskit, hubo-json)"


def add_arguments(parser) -> None:
    add_spec_argument(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="output file")
    parser.add_argument("--format", help="hubo-json, bqm-json, coo, qubo, ising-json, lp or qiskit "
                                         "(default: from FILE's extension; plain .json is bqm-json)")
    parser.add_argument("--reduce", default="auto", metavar="METHOD",
                        help="HUBO->QUBO reduction: auto, hybrid, cover, substitution, freedman-drineas, ishikawa "
                             "(default auto)")
    parser.add_argument("--vartype", choices=["BINARY", "SPIN"], default="BINARY")
    parser.add_argument("--hubo-method", default="fourier", metavar="METHOD",
                        help="Problem.to_hubo method: fourier, symbolic or auxiliary (default fourier)")
    parser.add_argument("--max-degree", type=positive_int, help="truncate the Fourier HUBO to this degree")
    parser.add_argument("--threshold", type=float, help="drop Fourier coefficients below this magnitude (>= 0)")
    parser.add_argument("--seed", type=seed_int, default=0, help="seed of the cover search (auto/cover)")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")


def output_format(path: str, fmt: str | None) -> str:
    """``--format``, else the extension's format; a plain ``.json`` file is a reduced QUBO (bqm-json).

    Examples:
        >>> output_format("fawaz.json", None), output_format("x.hubo.json", None), output_format("x", "lp")
        ('bqm-json', 'hubo-json', 'lp')
    """
    from anneal_binn import export
    from anneal_binn.errors import UsageError

    if fmt is not None and fmt not in export.FORMATS:
        raise UsageError("--format", f"unknown format {fmt!r}; choose one of {', '.join(export.FORMATS)}")
    if fmt is None and str(path).lower().endswith(".json") and not any(
            str(path).lower().endswith(ext) for ext in export.EXTENSIONS):
        return "bqm-json"
    try:
        return export.format_for(path, fmt)
    except ValueError as exc:
        raise UsageError("--format", str(exc).removeprefix("format: ")) from None


def main(args) -> int:
    from anneal_binn import export
    from anneal_binn.commands.common import check_output_file, load_problem, print_json
    from anneal_binn.errors import UsageError
    from anneal_binn.reduction import METHODS
    from anneal_binn.spec import HUBO_METHODS

    out = check_output_file(args.output, "-o/--output")
    fmt = output_format(args.output, args.format)
    if args.reduce not in METHODS:
        raise UsageError("--reduce", f"unknown method {args.reduce!r}; choose one of {', '.join(METHODS)}")
    if args.hubo_method not in HUBO_METHODS:
        raise UsageError("--hubo-method", f"unknown method {args.hubo_method!r}; choose one of {', '.join(HUBO_METHODS)}")
    if args.threshold is not None and not args.threshold >= 0:
        raise UsageError("--threshold", f"must be a non-negative number, got {args.threshold}")
    problem = load_problem(args.spec)
    t0 = time.perf_counter()
    model, red = export.formulate(
        problem,
        out,
        format=fmt,
        reduce=args.reduce,
        vartype=args.vartype,
        max_degree=args.max_degree,
        threshold=args.threshold,
        hubo_method=args.hubo_method,
        seed=args.seed,
    )
    num_vars = len(model.variables)
    if num_vars == 0:
        out.unlink(missing_ok=True)
        raise UsageError("--max-degree/--threshold", "the formulation has no variables left (every term was "
                         "truncated away); raise --max-degree or lower --threshold")
    doc = {
        "spec": problem.name,
        "format": fmt,
        "output": str(out),
        "num_variables": problem.num_variables,
        "seconds": time.perf_counter() - t0,
    }
    if red is None:
        doc.update(kind="hubo", num_terms=len(model), max_degree=max((len(t) for t in model), default=0))
    else:
        doc.update(
            kind="qubo",
            reduction=red.method,
            reduction_file=str(out) + export.REDUCTION_SUFFIX,
            num_ancillas=red.num_ancillas,
            num_qubo_variables=num_vars,
            num_interactions=model.num_interactions,
            max_penalty=red.max_penalty,
        )
    if args.json:
        print_json(doc)
    else:
        what = (f"HUBO with {doc['num_terms']} terms" if red is None else
                f"QUBO with {doc['num_qubo_variables']} variables ({doc['num_ancillas']} ancillas, "
                f"{doc['reduction']}), {doc['num_interactions']} interactions; record in {doc['reduction_file']}")
        print(f"{problem.name}: wrote {what} to {out} [{fmt}]")
    return 0
