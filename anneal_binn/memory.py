"""The memory budget that every large allocation of the formulation layer is checked against.

Reductions, the exact HUBO of a landscape and :meth:`Reduction.verify` estimate what they would
allocate *before* allocating it, and raise :class:`~anneal_binn.errors.TooLargeError` (saying how
much they would need and what to do instead) when it exceeds :func:`memory_budget`.

The budget is ``ANNEAL_BINN_MEMORY_LIMIT`` when set (bytes, or with a ``K``/``M``/``G``/``T``
suffix, powers of 1024), else half the machine's physical memory. Physical rather than currently
available memory: the same problem is then accepted or refused the same way on every run of a
machine, whatever else happens to be running.

Examples:
    >>> import os
    >>> os.environ["ANNEAL_BINN_MEMORY_LIMIT"] = "2G"
    >>> memory_budget()
    2147483648
    >>> check_memory(3 * 2**30, "reducing 10 terms", "use hubo-sa")
    Traceback (most recent call last):
    ...
    anneal_binn.errors.TooLargeError: reducing 10 terms needs ~3.2 GB, over the memory budget of 2.1 GB (ANNEAL_BINN_MEMORY_LIMIT); use hubo-sa
    >>> del os.environ["ANNEAL_BINN_MEMORY_LIMIT"]
"""
from __future__ import annotations

import os

from anneal_binn.errors import TooLargeError

ENV_VAR = "ANNEAL_BINN_MEMORY_LIMIT"
PHYSICAL_FRACTION = 0.5  # leaves room for the interpreter, the landscape and other processes
_UNITS = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


class MemoryBudgetWarning(UserWarning):
    """A step fell back to a cheaper way of doing its work to stay within the memory budget."""


def physical_memory() -> int:
    """Bytes of physical memory (``os.sysconf``); 8 GiB where the platform cannot say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX platforms
        return 8 * 2**30


def memory_budget() -> int:
    """The most bytes one formulation step may allocate (see the module docstring)."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return int(PHYSICAL_FRACTION * physical_memory())
    unit = _UNITS.get(raw[-1].upper(), 1)
    number = raw[:-1] if raw[-1].upper() in _UNITS else raw
    try:
        value = float(number) * unit
    except ValueError:
        raise ValueError(f"{ENV_VAR}: expected bytes, e.g. 8000000000 or 8G, got {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{ENV_VAR}: must be positive, got {raw!r}")
    return int(value)


def human(nbytes: float) -> str:
    """``3.2 GB``-style size (decimal units, as the refusals quote them).

    Examples:
        >>> human(22.5e9), human(5e6)
        ('22.5 GB', '5.0 MB')
    """
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:,.1f} {unit}"
    return f"{int(nbytes)} B"


def fits(nbytes: float) -> bool:
    """True when ``nbytes`` is within :func:`memory_budget`."""
    return nbytes <= memory_budget()


def check_memory(nbytes: float, what: str, advice: str) -> None:
    """Raise :class:`TooLargeError` before allocating when ``nbytes`` exceeds the budget.

    Args:
        nbytes: the estimated peak allocation.
        what: the step and its size, e.g. ``"reducing 2,097,152 terms (method 'auto')"``.
        advice: what to do instead.
    """
    budget = memory_budget()
    if nbytes > budget:
        raise TooLargeError(
            f"{what} needs ~{human(nbytes)}, over the memory budget of {human(budget)} ({ENV_VAR}); {advice}"
        )
