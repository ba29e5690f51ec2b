"""Pieces shared by the subcommands: the common options, spec loading, JSON output, atomic files.

Nothing heavy is imported at module level: ``anneal-binn --help`` builds every subcommand's parser
and must stay fast.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from anneal_binn.jsonio import to_jsonable, write_json_atomic  # noqa: F401 - re-exported for the commands

# -- argument types: a bad value is one argparse line naming the option ---------------------
def _ranged(convert, what: str, ok):
    """An argparse type that converts with ``convert`` and accepts values for which ``ok`` holds."""
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
        return value

    parse.__name__ = what  # argparse names the type in some messages
    return parse


positive_int = _ranged(int, "a positive integer", lambda v: v >= 1)
seed_int = _ranged(int, "an integer in [0, 2^31)", lambda v: 0 <= v < 2**31)  # what every backend accepts
nonnegative_float = _ranged(float, "a non-negative number", lambda v: 0 <= v < float("inf"))


def add_spec_argument(parser, optional: bool = False, default: str | None = None) -> None:
    if optional:
        parser.add_argument("spec", nargs="?", default=default,
                            help="catalogue name (e.g. fawaz-p1) or path to a TOML spec"
                                 + (f" (default: {default})" if default else ""))
    else:
        parser.add_argument("spec", help="catalogue name (e.g. fawaz-p1) or path to a TOML spec")


def add_solver_arguments(parser, *, many: bool = False, num_reads: int | None = None) -> None:
    """The options ``run``, ``solve``, ``compare`` and ``submit`` share, spelled the same everywhere."""
    if many:
        parser.add_argument("--solvers", default="exact,sa,hubo-sa", help="comma-separated registry names")
        parser.add_argument("--param", action="append", metavar="SOLVER.KEY=VALUE",
                            help="a parameter for one solver, repeatable (e.g. --param sa.num_sweeps=200)")
    else:
        parser.add_argument("--solver", default=None,
                            help="registry name (anneal-binn solve --list); default: the spec's [run] solver, "
                                 "else exact for N <= 20, else loss-sa")
        parser.add_argument("--param", action="append", metavar="KEY=VALUE",
                            help="solver parameter, repeatable (e.g. --param num_sweeps=500); values are JSON when they parse")
    parser.add_argument("--seed", type=seed_int, default=0, help="seed (default 0)")
    parser.add_argument("--num-reads", type=positive_int, default=num_reads,
                        help="reads/samples" + (f" (default {num_reads})" if num_reads else " (default: the solver's)"))
    parser.add_argument("--mock", action="store_true",
                        help="run the qpu solver on the offline Pegasus MockDWaveSampler (no token, no network)")
    parser.add_argument("--hubo-method", default=None, metavar="METHOD",
                        help="Problem.to_hubo method: fourier, symbolic or auxiliary (default: the spec's [run.hubo], else fourier)")
    parser.add_argument("--qubo", default=None, metavar="ENCODING",
                        help="QUBO solvers: a direct QUBO encoding (Problem.to_qubo method) instead of reducing the HUBO")
    parser.add_argument("--reduction", default="auto", metavar="METHOD",
                        help="HUBO->QUBO reduction for QUBO solvers (default auto)")


def parse_params(items: list[str] | None, option: str = "--param") -> dict:
    """``KEY=VALUE`` pairs; values are parsed as JSON when they can be (numbers, lists, true).

    Examples:
        >>> parse_params(["num_sweeps=200", "mock=true", "name=x"])
        {'num_sweeps': 200, 'mock': True, 'name': 'x'}
    """
    from anneal_binn.errors import UsageError

    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(option, f"expected KEY=VALUE, got {item!r}")
        try:
            params[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            params[key.strip()] = value
    return params


def per_solver_params(items: list[str] | None) -> dict[str, dict]:
    """``SOLVER.KEY=VALUE`` pairs grouped by solver."""
    from anneal_binn.errors import UsageError

    out: dict[str, dict] = {}
    for item in items or []:
        head, _, _ = item.partition("=")
        if "." not in head:
            raise UsageError("--param", f"expected SOLVER.KEY=VALUE, got {item!r}")
        solver, key = head.split(".", 1)
        out.setdefault(solver, {}).update(parse_params([key + item[len(head):]]))
    return out


def route_options(args) -> dict:
    """``hubo``/``qubo``/``reduction`` keyword arguments for the pipeline from the common options."""
    from anneal_binn import reduction as reduction_module
    from anneal_binn.errors import UsageError
    from anneal_binn.spec import HUBO_METHODS

    out: dict = {"reduction": args.reduction}
    if args.reduction not in reduction_module.METHODS:
        raise UsageError("--reduction", f"unknown method {args.reduction!r}; choose one of "
                         f"{', '.join(reduction_module.METHODS)}")
    if args.hubo_method is not None:
        if args.hubo_method not in HUBO_METHODS:
            raise UsageError("--hubo-method", f"unknown method {args.hubo_method!r}; choose one of {', '.join(HUBO_METHODS)}")
        out["hubo"] = {"method": args.hubo_method}
    if args.qubo is not None:
        out["qubo"] = {"method": args.qubo}
    return out


def mock_params(args, name: str, params: dict) -> dict:
    """``--mock`` sets ``mock=True`` for the qpu solver; for others it is an error, not silently ignored."""
    from anneal_binn.errors import UsageError

    if not getattr(args, "mock", False):
        return params
    if name != "qpu":
        raise UsageError("--mock", f"emulates the D-Wave QPU; use it with --solver qpu (got {name!r})")
    return {**params, "mock": True}


def load_problem(spec_arg: str):
    import anneal_binn as ab

    return ab.build(ab.load_spec(spec_arg))


def check_output_file(path: str | Path, option: str = "--out") -> Path:
    """A path a file can be written to: not a directory, its folder creatable."""
    from anneal_binn.errors import UsageError

    p = Path(path)
    if p.is_dir():
        raise UsageError(option, f"{str(p)!r} is a directory; give a file name inside it, e.g. {str(p / 'out.json')!r}")
    if p.parent.exists() and not p.parent.is_dir():
        raise UsageError(option, f"{str(p.parent)!r} is not a directory")
    return p


def check_output_dir(path: str | Path, option: str = "--out") -> Path:
    """A directory to write results into (created if absent); an existing file there is refused."""
    from anneal_binn.errors import UsageError

    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UsageError(option, f"{str(p)!r} is a file; give a directory (it is created if absent)")
    return p


def print_json(data) -> None:
    print(json.dumps(to_jsonable(data), indent=2, sort_keys=True))


def print_warnings(warnings, stream=None) -> None:
    """Findings a user must not miss, on stderr (so ``--json`` stdout stays one document)."""
    import sys

    for w in warnings:
        print(f"warning: {w}", file=stream or sys.stderr)
