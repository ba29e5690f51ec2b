"""Exceptions that name what went wrong and how to fix it.

Every exception the package raises for a user's mistake derives from :class:`AnnealBinnError`,
so a caller (the ``anneal-binn`` command among them) can catch one type and print one line. The
concrete classes also derive from the builtin a Python user would expect (``ValueError`` for a bad
value, ``ImportError`` for a missing extra, ``RuntimeError`` for a failed remote call), so existing
``except ValueError`` code keeps working.

Examples:
    >>> issubclass(SpecError, AnnealBinnError) and issubclass(SpecError, ValueError)
    True
    >>> str(UsageError("--num-reads", "must be a positive integer, got 0"))
    '--num-reads: must be a positive integer, got 0'
"""
from __future__ import annotations


class AnnealBinnError(Exception):
    """Base of every error the package raises for a mistake in its input or environment."""


class FieldError(AnnealBinnError, ValueError):
    """A value is wrong. The message is ``"<field>: <what is wrong and the fix>"``."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class SpecError(FieldError):
    """A formulation spec is malformed. The message names the field (dotted path) and the fix.

    Examples:
        >>> str(SpecError("model.layers[0].width", "must be a positive integer, got -1"))
        'model.layers[0].width: must be a positive integer, got -1'
    """


class SpecNotFoundError(SpecError, FileNotFoundError):
    """No spec file at that path and no catalogue entry of that name."""


class UsageError(FieldError):
    """A function argument or command-line option is wrong; the message names it and the fix."""


class SolverError(AnnealBinnError, ValueError):
    """A solver refused its input or parameters (the message says which and why)."""


class TooLargeError(AnnealBinnError, ValueError):
    """A problem is too large for a method; raised before any large allocation, with the size needed."""


class MissingExtraError(AnnealBinnError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class RemoteError(AnnealBinnError, RuntimeError):
    """A remote service (D-Wave Leap) failed or is not configured; nothing already written is lost."""


def require(module: str, extra: str):
    """Import an optional module or raise :class:`MissingExtraError` naming the extra.

    Examples:
        >>> require("numpy", "core").__name__
        'numpy'
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError(
            f"{module} is needed for this feature: pip install 'anneal-binn[{extra}]'"
        ) from exc
