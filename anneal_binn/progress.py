"""Progress bars for the long loops (batches, solvers, restarts, experiments), on stderr, via tqdm.

:func:`progress` wraps an iterable. A bar is drawn only when it is enabled *and* the loop is
still running after :data:`DELAY_S` seconds, so quick loops print nothing. Enabled means,
unless ``enabled=`` says otherwise:

- stderr is a terminal (a pipe, a file or a notebook's captured stderr gets no bar), and
- the environment variable ``ANNEAL_BINN_PROGRESS`` is not ``0`` (``1`` forces bars on even
  when stderr is not a terminal), and
- no :func:`quiet` block is active: the ``anneal-binn`` command opens one for ``--json`` and
  ``--quiet``, so a machine-read run never prints a bar.

A bar never changes a result: when disabled the iterable itself is returned, and when enabled
tqdm yields the same items in the same order and draws no random numbers. Without tqdm
installed the loops simply run without bars.

Examples:
    >>> import io
    >>> items = [3, 1, 2]
    >>> progress(items, desc="demo", enabled=False) is items   # disabled: the very same object
    True
    >>> list(progress(iter(items), total=3, desc="demo", enabled=True, file=io.StringIO()))
    [3, 1, 2]
    >>> with quiet():
    ...     is_enabled()
    False
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterable, Iterator

ENV_VAR = "ANNEAL_BINN_PROGRESS"
# A loop shorter than this shows nothing (tqdm's delay): bars are for loops that make a user wait.
DELAY_S = 2.0

_quiet_depth = 0  # open quiet() blocks; a counter so nested blocks restore correctly


def is_enabled() -> bool:
    """Whether :func:`progress` draws bars by default now (see the module docstring)."""
    if _quiet_depth:
        return False
    env = os.environ.get(ENV_VAR, "").strip().lower()
    if env in ("0", "false", "no", "off"):
        return False
    if env in ("1", "true", "yes", "on"):
        return True
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


@contextmanager
def quiet(active: bool = True) -> Iterator[None]:
    """Switch bars off inside the block (``active=False`` leaves them as they are).

    Examples:
        >>> with quiet(False):
        ...     pass
    """
    global _quiet_depth
    if not active:
        yield
        return
    _quiet_depth += 1
    try:
        yield
    finally:
        _quiet_depth -= 1


def progress(iterable: Iterable, total: int | None = None, desc: str | None = None,
             enabled: bool | None = None, **options) -> Iterable:
    """``iterable`` with a progress bar on stderr when enabled; ``iterable`` itself otherwise.

    Args:
        iterable: what the loop runs over.
        total: number of items, when ``len(iterable)`` does not give it (a generator).
        desc: a few words before the bar, e.g. ``"solvers"``.
        enabled: True or False to decide here; None follows :func:`is_enabled`.
        **options: passed to ``tqdm`` (e.g. ``file=`` in tests, ``unit=``).
    """
    if enabled is None:
        enabled = is_enabled()
    if not enabled:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    # file is looked up now, not at import: tests and notebooks replace sys.stderr
    settings = {"file": sys.stderr, "delay": DELAY_S, "leave": False, "dynamic_ncols": True, **options}
    return tqdm(iterable, total=total, desc=desc, **settings)
