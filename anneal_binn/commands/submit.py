"""``anneal-binn submit SPEC --out DIR``: a QPU (or any solver) run recorded so nothing is lost.

The run directory gets its manifest first, then the spec, formulation, reduction record and
embedding before any sample is requested, then each batch's SampleSet atomically; ``--resume``
continues an interrupted run from whatever point it stopped. ``--mock`` runs the same path
offline on a Pegasus ``MockDWaveSampler``.
"""
from __future__ import annotations

import argparse

from anneal_binn.commands.common import add_solver_arguments, add_spec_argument, positive_int

HELP = "submit a spec to the D-Wave QPU (or --mock, or any solver) in batches recorded in a run directory"


def add_arguments(parser) -> None:
    add_spec_argument(parser)
    add_solver_arguments(parser, num_reads=100)
    parser.set_defaults(solver="qpu")
    parser.add_argument("--out", required=True, help="run directory (new, or the one to --resume)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    parser.add_argument("--topology-shape", type=positive_int, default=16, help="Pegasus size for --mock (default 16)")
    parser.add_argument("--batches", type=positive_int, default=1, help="number of sample sets to request (default 1)")
    parser.add_argument("--chain-strength", type=float, default=None,
                        help="override the chain-strength rule (uniform torque compensation x 1.414)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON document")
    # test hook: simulate a crash after K batches (hidden from --help)
    parser.add_argument("--fail-after", type=int, default=None, help=argparse.SUPPRESS)


def main(args) -> int:
    import sys

    from anneal_binn.commands.common import (check_output_dir, load_problem, mock_params, parse_params,
                                             print_json, print_warnings, route_options)
    from anneal_binn.errors import AnnealBinnError
    from anneal_binn.qpu.rundir import submit

    out = check_output_dir(args.out)
    params = mock_params(args, args.solver, parse_params(args.param))
    if args.mock:
        params["topology_shape"] = args.topology_shape
    if args.chain_strength is not None:
        params["chain_strength"] = args.chain_strength
    route = route_options(args)
    problem = load_problem(args.spec)
    log = (lambda line: print(line, file=sys.stderr)) if args.json else print
    try:
        summary = submit(problem, args.solver, out, num_batches=args.batches, num_reads=args.num_reads,
                         seed=args.seed, resume=args.resume, fail_after=args.fail_after, log=log,
                         **route, **params)
    except AnnealBinnError as exc:
        if (out / "manifest.json").exists():
            exc.args = (f"{exc}; completed batches (if any) are kept in {out}; "
                        f"rerun the same command with --resume to continue",)
        raise
    if args.json:
        print_json(summary)
    else:
        print(f"run {out}: {summary['reads']} reads in {summary['batches']} batch(es); "
              f"best loss {summary['best']['loss']:.6g}, accuracy train {summary['best']['accuracy']['train']:.4f} "
              f"test {summary['best']['accuracy']['test']:.4f}")
    print_warnings(summary["warnings"])
    return 0
