"""Annealing schedules for the simulated quantum annealers (``statevector-qa``, ``mps-qa``).

The Hamiltonian is ``H(s) = -A(s)/2 sum_i X_i + B(s)/2 H_problem`` (D-Wave's convention), with
``s(t)`` a piecewise-linear path in time given as D-Wave ``anneal_schedule`` points
``[(t0, s0), (t1, s1), ...]``: a forward anneal is ``[(0, 0), (T, 1)]``, a pause repeats an
``s``, a reverse anneal starts at ``s = 1`` from a classical state.

Units: :class:`Schedule` carries ``phase_per_unit``, the radians accumulated per unit of
``A`` times one unit of time. The built-in linear schedule is dimensionless (hbar = 1,
``phase_per_unit = 1``). A D-Wave schedule table has A and B in GHz and anneal times in
microseconds, so ``phase_per_unit = 2 pi * 1000``.

Examples:
    >>> sch = Schedule.linear()
    >>> sch(0.25)
    (0.75, 0.25)
    >>> path = AnnealPath.forward(10.0)
    >>> path.total_time, path.s_at(5.0)
    (10.0, 0.5)
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Schedule:
    """A(s) and B(s) on a grid of s in [0, 1], linearly interpolated.

    Attributes:
        s: increasing grid from 0 to 1.
        A: transverse-field energy at each grid point (>= 0).
        B: problem energy at each grid point (>= 0).
        phase_per_unit: radians per (energy unit x time unit); 1 for dimensionless, 2 pi 1000 for GHz and µs.
        name: where it came from.
    """

    s: np.ndarray
    A: np.ndarray
    B: np.ndarray
    phase_per_unit: float = 1.0
    name: str = "table"

    def __post_init__(self):
        s, A, B = (np.asarray(x, dtype=np.float64) for x in (self.s, self.A, self.B))
        if s.ndim != 1 or s.size < 2 or A.shape != s.shape or B.shape != s.shape:
            raise ValueError("schedule: s, A and B must be 1-D arrays of the same length (>= 2)")
        if np.any(np.diff(s) <= 0) or s[0] > 1e-9 or s[-1] < 1 - 1e-9:
            raise ValueError("schedule.s: must increase strictly from 0 to 1")
        if np.any(A < 0) or np.any(B < 0):
            raise ValueError("schedule: A(s) and B(s) must be non-negative")
        object.__setattr__(self, "s", s)
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "B", B)

    def __call__(self, s: float) -> tuple[float, float]:
        """(A(s), B(s)) by linear interpolation."""
        return float(np.interp(s, self.s, self.A)), float(np.interp(s, self.s, self.B))

    @classmethod
    def linear(cls) -> "Schedule":
        """A(s) = 1 - s, B(s) = s, dimensionless (hbar = 1)."""
        return cls(np.array([0.0, 1.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), 1.0, "linear")

    @classmethod
    def from_csv(cls, path: str | Path) -> "Schedule":
        """Read a D-Wave published schedule table (columns ``s``, ``A(s) (GHz)``, ``B(s) (GHz)``, ...).

        The columns are found by their header's first letter (``s``, ``A``, ``B``); values are in
        GHz, so anneal times are then in microseconds.
        """
        path = Path(path)
        with open(path, newline="") as fh:
            rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)]
        if len(rows) < 3:
            raise ValueError(f"schedule file {path}: needs a header and at least two rows")
        header = [h.strip().lower() for h in rows[0]]

        def col(prefix: str) -> int:
            for i, h in enumerate(header):
                if h == prefix or h.startswith(prefix + "(") or h.startswith(prefix + " "):
                    return i
            raise ValueError(f"schedule file {path}: no column starting with {prefix!r} in header {rows[0]}")

        i_s, i_a, i_b = col("s"), col("a"), col("b")
        data = np.array([[float(r[i_s]), float(r[i_a]), float(r[i_b])] for r in rows[1:]])
        ghz = "ghz" in header[i_a]
        return cls(data[:, 0], data[:, 1], data[:, 2], 2 * math.pi * 1000.0 if ghz else 1.0, path.name)


@dataclass(frozen=True)
class AnnealPath:
    """s(t) as piecewise-linear D-Wave ``anneal_schedule`` points ``(t, s)``.

    A path starting at s = 0 begins in the transverse-field ground state; one starting at s = 1
    (reverse anneal) begins in a given classical state.
    """

    points: tuple[tuple[float, float], ...]

    def __post_init__(self):
        pts = tuple((float(t), float(s)) for t, s in self.points)
        if len(pts) < 2:
            raise ValueError("anneal_schedule: needs at least two (t, s) points")
        ts = [t for t, _ in pts]
        if pts[0][0] != 0.0 or any(b <= a for a, b in zip(ts, ts[1:])):
            raise ValueError("anneal_schedule: times must start at 0 and increase strictly")
        if any(not 0.0 <= s <= 1.0 for _, s in pts):
            raise ValueError("anneal_schedule: every s must be in [0, 1]")
        if pts[0][1] not in (0.0, 1.0):
            raise ValueError("anneal_schedule: must start at s = 0 (forward) or s = 1 (reverse anneal)")
        if pts[-1][1] != 1.0:
            raise ValueError("anneal_schedule: must end at s = 1")
        object.__setattr__(self, "points", pts)

    @classmethod
    def forward(cls, annealing_time: float) -> "AnnealPath":
        if not annealing_time > 0:
            raise ValueError(f"annealing_time: must be positive, got {annealing_time!r}")
        return cls(((0.0, 0.0), (float(annealing_time), 1.0)))

    @property
    def reverse(self) -> bool:
        return self.points[0][1] == 1.0

    @property
    def total_time(self) -> float:
        return self.points[-1][0]

    def s_at(self, t: float) -> float:
        ts, ss = zip(*self.points)
        return float(np.interp(t, ts, ss))

    def steps(self, num_steps: int) -> tuple[np.ndarray, np.ndarray]:
        """Step lengths and midpoint s values: ``num_steps`` spread over the segments by duration.

        Every segment gets at least one step and step edges fall on the breakpoints, so pauses
        and turns are resolved exactly.
        """
        if num_steps < 1:
            raise ValueError(f"num_steps: must be a positive int, got {num_steps!r}")
        durations = np.diff([t for t, _ in self.points])
        counts = np.maximum(1, np.round(num_steps * durations / durations.sum()).astype(int))
        dts, mids = [], []
        for (t0, _), (t1, _), k in zip(self.points, self.points[1:], counts):
            edges = np.linspace(t0, t1, k + 1)
            dts.append(np.diff(edges))
            mids.append([self.s_at(t) for t in 0.5 * (edges[1:] + edges[:-1])])
        return np.concatenate(dts), np.concatenate(mids)


def resolve(schedule, annealing_time: float | None, anneal_schedule: Sequence | None) -> tuple[Schedule, AnnealPath]:
    """Turn user parameters into a (Schedule, AnnealPath).

    ``schedule``: None or ``"linear"``, a CSV path, a :class:`Schedule`, or a mapping with
    ``s``, ``A``, ``B`` (and optionally ``phase_per_unit``).
    """
    if schedule is None or (isinstance(schedule, str) and schedule == "linear"):
        sch = Schedule.linear()
    elif isinstance(schedule, Schedule):
        sch = schedule
    elif isinstance(schedule, (str, Path)):
        sch = Schedule.from_csv(schedule)
    elif isinstance(schedule, dict):
        sch = Schedule(schedule["s"], schedule["A"], schedule["B"], float(schedule.get("phase_per_unit", 1.0)))
    else:
        raise TypeError(f"schedule: expected 'linear', a CSV path, a Schedule or a dict, got {type(schedule).__name__}")
    if anneal_schedule is not None:
        if annealing_time is not None:
            raise ValueError("annealing_time: give either annealing_time or anneal_schedule, not both")
        path = AnnealPath(tuple(tuple(p) for p in anneal_schedule))
    else:
        path = AnnealPath.forward(10.0 if annealing_time is None else annealing_time)
    return sch, path
