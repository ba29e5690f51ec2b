"""Typed readers for the keys of a spec's ``[data]`` table; each raises SpecError naming ``data.<key>``.

Examples:
    >>> get_int({"n": 5}, "n", default=1, minimum=1)
    5
    >>> get_float({}, "alpha", default=0.5, minimum=0.0)
    0.5
"""
from __future__ import annotations

import math
from numbers import Integral, Real

from anneal_binn.errors import SpecError


def _is_int(value) -> bool:
    # bool is an int subclass; `true` in TOML is never meant as a count.
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value))


def get_int(cfg: dict, key: str, default, minimum: int | None = None, maximum: int | None = None):
    """``cfg[key]`` as an int within [minimum, maximum], or ``default`` when absent."""
    if key not in cfg:
        return default
    value = cfg[key]
    if not _is_int(value):
        raise SpecError(f"data.{key}", f"must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise SpecError(f"data.{key}", f"must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise SpecError(f"data.{key}", f"must be <= {maximum}, got {value}")
    return int(value)


def get_float(
    cfg: dict,
    key: str,
    default,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
    strict_maximum: bool = False,
):
    """``cfg[key]`` as a finite float within the given bounds, or ``default`` when absent."""
    if key not in cfg:
        return default
    value = cfg[key]
    if not _is_real(value):
        raise SpecError(f"data.{key}", f"must be a finite number, got {value!r}")
    value = float(value)
    if minimum is not None and (value < minimum or (strict_minimum and value == minimum)):
        raise SpecError(f"data.{key}", f"must be {'>' if strict_minimum else '>='} {minimum}, got {value}")
    if maximum is not None and (value > maximum or (strict_maximum and value == maximum)):
        raise SpecError(f"data.{key}", f"must be {'<' if strict_maximum else '<='} {maximum}, got {value}")
    return value


def get_bool(cfg: dict, key: str, default: bool) -> bool:
    """``cfg[key]`` as a bool (TOML ``true``/``false``), or ``default`` when absent."""
    if key not in cfg:
        return default
    value = cfg[key]
    if not isinstance(value, bool):
        raise SpecError(f"data.{key}", f"must be true or false, got {value!r}")
    return value


def get_choice(cfg: dict, key: str, default: str, choices: tuple[str, ...]) -> str:
    """``cfg[key]`` as one of the strings ``choices``, or ``default`` when absent."""
    if key not in cfg:
        return default
    value = cfg[key]
    if not isinstance(value, str) or value not in choices:
        raise SpecError(f"data.{key}", f"must be one of {', '.join(repr(c) for c in choices)}, got {value!r}")
    return value


def round_half_up(x: float) -> int:
    """Round to the nearest integer, halves up (Python's round() rounds halves to even)."""
    return int(math.floor(x + 0.5))
