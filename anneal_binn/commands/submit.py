"""``anneal-binn submit SPEC --out DIR``: a QPU (or any solver) run recorded so nothing is lost.

The run directory gets the spec, formulation, reduction record and embedding before any sample
is requested, then each batch's SampleSet atomically; ``--resume`` continues an interrupted
run. ``--mock`` runs the same path offline on a Pegasus ``MockDWaveSampler``.
"""
from __future__ import annotations

import argparse
import sys

from anneal_binn.commands.common import load_problem, print_json

HELP = "submit a spec to the D-Wave QPU (or --mock, or any solver) in batches recorded in a run directory"


def add_arguments(parser) -> None:
    parser.add_argument("spec", help="catalogue name (e.g. fawaz-p1) or path to a TOML spec")
    parser.add_argument("--solver", default="qpu", help="registry name (default qpu; hybrid for Leap)")
    parser.add_argument("--out", required=True, help="run directory (new, or the one to --resume)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    parser.add_argument("--mock", action="store_true",
                        help="offline: MockDWaveSampler with a Pegasus topology instead of the QPU")
    parser.add_argument("--topology-shape", type=int, default=16, help="Pegasus size for --mock (default 16)")
    parser.add_argument("--batches", type=int, default=1, help="number of sample sets to request (default 1)")
    parser.add_argument("--num-reads", type=int, default=100, help="reads per batch (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument("--chain-strength", type=float, default=None,
                        help="override the chain-strength rule (uniform torque compensation x 1.414)")
    parser.add_argument("--param", action="append", metavar="KEY=VALUE", help="solver parameter, repeatable")
    parser.add_argument("--reduction", default="auto", help="HUBO->QUBO method (default auto)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON document")
    # test hook: simulate a crash after K batches (hidden from --help)
    parser.add_argument("--fail-after", type=int, default=None, help=argparse.SUPPRESS)


def main(args) -> int:
    from anneal_binn.commands.solve import parse_params
    from anneal_binn.qpu.rundir import InjectedFailure, RunDirectoryError, submit
    from anneal_binn.solvers.qpu import QPUError

    params = parse_params(args.param)
    if args.mock:
        if args.solver != "qpu":
            print(f"anneal-binn submit: error: --mock emulates the QPU; use --solver qpu (got {args.solver!r})",
                  file=sys.stderr)
            return 2
        params.update(mock=True, topology_shape=args.topology_shape)
    if args.chain_strength is not None:
        params["chain_strength"] = args.chain_strength
    problem = load_problem(args.spec)
    log = (lambda line: print(line, file=sys.stderr)) if args.json else print
    try:
        summary = submit(problem, args.solver, args.out, num_batches=args.batches, num_reads=args.num_reads,
                         seed=args.seed, resume=args.resume, reduction=args.reduction,
                         fail_after=args.fail_after, log=log, **params)
    except (QPUError, RunDirectoryError, InjectedFailure, ValueError) as exc:
        print(f"anneal-binn submit: error: {exc}", file=sys.stderr)
        print(f"anneal-binn submit: completed batches (if any) are kept in {args.out}; rerun with --resume",
              file=sys.stderr)
        return 2
    if args.json:
        print_json(summary)
    else:
        print(f"run {args.out}: {summary['reads']} reads in {summary['batches']} batch(es); "
              f"best loss {summary['best_loss']:.6g}, accuracy train {summary['accuracy']['train']:.4f} "
              f"test {summary['accuracy']['test']:.4f}")
    return 0
