"""The ``anneal-binn`` command.

Each subcommand lives in ``anneal_binn/commands/<name>.py`` and exposes ``HELP``,
``add_arguments(parser)`` and ``main(args) -> int``. Adding a subcommand is one module and one
entry in :data:`COMMANDS`. Command modules import heavy libraries inside ``main`` only.

Examples:
    >>> main(["run", "fawaz-p1", "--json"])  # doctest: +SKIP
    0
"""
from __future__ import annotations

import argparse
import importlib
import sys

# subcommand name -> module under anneal_binn.commands
COMMANDS: dict[str, str] = {
    "run": "run",
    "landscape": "landscape",
    "formulate": "formulate",
    "solve": "solve",
    "compare": "compare",
    "submit": "submit",
    "experiment": "experiment",
    "sweep": "sweep",
}


class _Parser(argparse.ArgumentParser):
    """An argument mistake is one line naming the option and where to look, not a usage dump."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _load(module: str):
    return importlib.import_module(f"anneal_binn.commands.{module}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="anneal-binn",
        description="Train binary neural networks with quantum annealing and quantum-inspired optimization.",
    )
    from anneal_binn import __version__

    parser.add_argument("--version", action="version", version=f"anneal-binn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        try:
            module = _load(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != f"anneal_binn.commands.{module_name}":
                raise
            continue  # subcommand not built yet in this checkout
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_main=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; a user's mistake is one line on stderr and exit code 2, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_main", None):
        parser.print_help()
        return 2
    from anneal_binn.errors import AnnealBinnError
    from anneal_binn.progress import quiet

    try:
        # progress bars (stderr) are for people watching a terminal, never for --json or --quiet runs
        with quiet(bool(getattr(args, "json", False) or getattr(args, "quiet", False))):
            return int(args._main(args) or 0)
    except AnnealBinnError as exc:
        # Every error the package raises for bad input or environment derives from AnnealBinnError.
        message = " ".join(str(exc).split("\n"))
        print(f"anneal-binn {args.command}: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # stdout closed early (e.g. `anneal-binn run | head`): not an error of ours. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"anneal-binn {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
