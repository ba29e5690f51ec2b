"""Submitting to D-Wave (or any registry solver) through run directories that survive crashes.

The QPU adapter itself is the ``qpu`` solver (:mod:`anneal_binn.solvers.qpu`); this package
holds the run-directory logic behind ``anneal-binn submit``.

Examples:
    >>> from anneal_binn.qpu import submit, load_samples  # doctest: +SKIP
"""
from __future__ import annotations

from anneal_binn.qpu.rundir import InjectedFailure, RunDirectoryError, batch_seed, load_samples, submit

__all__ = ["InjectedFailure", "RunDirectoryError", "batch_seed", "load_samples", "submit"]
