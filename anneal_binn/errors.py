"""Exceptions that name what went wrong and how to fix it."""
from __future__ import annotations


class SpecError(ValueError):
    """A formulation spec is malformed. The message names the field (dotted path) and the fix.

    Examples:
        >>> str(SpecError("model.layers[0].width", "must be a positive integer, got -1"))
        'model.layers[0].width: must be a positive integer, got -1'
    """

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class TooLargeError(ValueError):
    """A problem is too large for an exact method; raised before any large allocation."""


class MissingExtraError(ImportError):
    """An optional dependency is missing; the message names the extra to install."""


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
