"""Annealing schedules for the simulated quantum annealers (``statevector-qa``, ``mps-qa``).

The Hamiltonian is ``H(s) = -A(s)/2 sum_i X_i + B(s)/2 H_problem`` (D-Wave's convention), with
``s(t)`` a piecewise-linear path in time given as D-Wave ``anneal_schedule`` points
``[(t0, s0), (t1, s1), ...]``: a forward anneal is ``[(0, 0), (T, 1)]``, a pause repeats an
``s``, a reverse anneal starts at ``s = 1`` from a classical state.

Units: :class:`Schedule` carries ``phase_per_unit``, the radians accumulated per unit of
``A`` times one unit of time. The built-in linear schedule is dimensionless (hbar = 1,
``phase_per_unit = 1``). A D-Wave schedule table has A and B in GHz and anneal times in
microseconds, so ``phase_per_unit = 2 pi * 1000``.

The digitized protocol of Lami et al., SciPost Phys. 14, 117 (2023) is a first-class option
(:class:`Digitized`, ``schedule="digitized"``): ``P`` first-order layers
``|psi_P> = prod_p exp(-i beta_p H_x) exp(-i gamma_p H_z) |+>`` with ``H_x = -sum_i X_i``,
``gamma_p = (p/P) dt`` and ``beta_p = (1 - p/P) dt``, the cost applied as given (no rescaling)
and nothing after the last layer. Every option becomes one list of gate layers
(:func:`protocol`): ``("x", phi)`` is ``prod_i exp(+i phi X_i)`` and ``("z", theta)`` is
``exp(-i theta H_problem)``; both simulators apply that same list.

Examples:
    >>> sch = Schedule.linear()
    >>> sch(0.25)
    (0.75, 0.25)
    >>> path = AnnealPath.forward(10.0)
    >>> path.total_time, path.s_at(5.0)
    (10.0, 0.5)
    >>> [(k, round(a, 3)) for k, a in Digitized(2, 0.5).layers()]
    [('z', 0.25), ('x', 0.25), ('z', 0.5)]
"""
from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    def linear(cls) -> Schedule:
        """A(s) = 1 - s, B(s) = s, dimensionless (hbar = 1)."""
        return cls(np.array([0.0, 1.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), 1.0, "linear")

    @classmethod
    def from_csv(cls, path: str | Path) -> Schedule:
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
                if h == prefix or h.startswith((prefix + "(", prefix + " ")):
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
        if pts[0][0] != 0.0 or any(b <= a for a, b in itertools.pairwise(ts)):
            raise ValueError("anneal_schedule: times must start at 0 and increase strictly")
        if any(not 0.0 <= s <= 1.0 for _, s in pts):
            raise ValueError("anneal_schedule: every s must be in [0, 1]")
        if pts[0][1] not in (0.0, 1.0):
            raise ValueError("anneal_schedule: must start at s = 0 (forward) or s = 1 (reverse anneal)")
        if pts[-1][1] != 1.0:
            raise ValueError("anneal_schedule: must end at s = 1")
        object.__setattr__(self, "points", pts)

    @classmethod
    def forward(cls, annealing_time: float) -> AnnealPath:
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
    if isinstance(schedule, str) and schedule == "digitized" or isinstance(schedule, Digitized):
        raise ValueError("schedule: 'digitized' is a protocol, not an A(s)/B(s) table; use protocol()")
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


@dataclass(frozen=True)
class Digitized:
    """The digitized (first-order, Trotterized) protocol of Lami et al. (2023), Eq. (8)-(9).

    ``|psi_P> = prod_{p=1..P} exp(-i beta_p H_x) exp(-i gamma_p H_z) |+>^N`` with
    ``H_x = -sum_i X_i``, ``gamma_p = (p/P) dt``, ``beta_p = (1 - p/P) dt``. The last layer has
    ``beta_P = 0``: no transverse rotation follows the last cost layer. ``H_z`` is the problem
    energy exactly as given (no auto-scaling); the total time is ``tau = P dt``.

    Args:
        num_steps: P, the number of layers (>= 1).
        time_step: dt, the Trotter step (finite, > 0).

    Examples:
        >>> d = Digitized(4, 1.0)
        >>> d.gammas.tolist(), d.betas.tolist()
        ([0.25, 0.5, 0.75, 1.0], [0.75, 0.5, 0.25, 0.0])
    """

    num_steps: int
    time_step: float
    name: str = "digitized"

    def __post_init__(self):
        P, dt = self.num_steps, self.time_step
        if not isinstance(P, (int, np.integer)) or isinstance(P, bool) or P < 1:
            raise ValueError(f"num_steps: the digitized protocol needs a positive int P, got {P!r}")
        if isinstance(dt, bool) or not isinstance(dt, (int, float, np.integer, np.floating)) \
                or not math.isfinite(float(dt)) or float(dt) <= 0:
            raise ValueError(f"time_step: the digitized protocol needs a finite dt > 0, got {dt!r}")
        object.__setattr__(self, "num_steps", int(P))
        object.__setattr__(self, "time_step", float(dt))

    @property
    def gammas(self) -> np.ndarray:
        return np.arange(1, self.num_steps + 1) / self.num_steps * self.time_step

    @property
    def betas(self) -> np.ndarray:
        return (1 - np.arange(1, self.num_steps + 1) / self.num_steps) * self.time_step

    @property
    def total_time(self) -> float:
        return self.num_steps * self.time_step

    def layers(self) -> list[tuple[str, float]]:
        """``[("z", gamma_1), ("x", beta_1), ..., ("z", gamma_P)]`` (the zero last ``beta`` dropped)."""
        out: list[tuple[str, float]] = []
        for g, b in zip(self.gammas, self.betas):
            out.append(("z", float(g)))
            if b != 0.0:
                out.append(("x", float(b)))
        return out


@dataclass(frozen=True)
class Protocol:
    """A resolved anneal: the gate layers both simulators apply, and what to report about it.

    Attributes:
        layers: ``("x", phi)`` = ``prod_i exp(+i phi X_i)``; ``("z", theta)`` =
            ``exp(-i theta H_problem)``, in order of application.
        reverse: starts from a classical state (reverse anneal) instead of ``|+>^N``.
        auto_scale: whether H_problem is divided by its largest spin coefficient by default.
        schedule: the :class:`Schedule` (continuous options) or :class:`Digitized`.
        path: the :class:`AnnealPath` (continuous options) or None.
        steps: ``(dts, s_mids)`` of the continuous options (the ``expm``/``krylov`` propagators
            use them), or None.
    """

    layers: tuple
    reverse: bool
    auto_scale: bool
    schedule: Any
    path: AnnealPath | None
    steps: tuple | None

    @property
    def digitized(self) -> bool:
        return isinstance(self.schedule, Digitized)

    @property
    def num_steps(self) -> int:
        return self.schedule.num_steps if self.digitized else len(self.steps[0])

    def info(self) -> dict:
        """The protocol's entries of a SampleSet's ``info``."""
        if self.digitized:
            d = self.schedule
            return {"schedule": "digitized", "num_steps": d.num_steps, "time_step": d.time_step,
                    "anneal_schedule": [[0.0, 0.0], [d.total_time, 1.0]]}
        return {"schedule": self.schedule.name, "anneal_schedule": [list(p) for p in self.path.points],
                "num_steps": len(self.steps[0])}


def trotter_layers(sch: Schedule, dts: np.ndarray, mids: np.ndarray) -> list[tuple[str, float]]:
    """Second-order layers ``Ux(dt/2) Uz(dt) Ux(dt/2)`` of ``H = -A/2 sum X + B/2 H_problem``
    per step (adjacent X half-steps merged into one layer)."""
    u = sch.phase_per_unit
    out: list[tuple[str, float]] = []
    for dt, s in zip(dts, mids):
        A, B = sch(s)
        half = float(u * dt * A / 4)
        if out and out[-1][0] == "x":
            out[-1] = ("x", out[-1][1] + half)
        else:
            out.append(("x", half))
        out.append(("z", float(u * dt * B / 2)))
        out.append(("x", half))
    return out


def protocol(opts: dict, default_steps: int = 200) -> Protocol:
    """The :class:`Protocol` of a simulator call's keyword arguments.

    Reads ``schedule`` (``"linear"``, a CSV path, a :class:`Schedule`, ``{s, A, B}``,
    ``"digitized"`` or a :class:`Digitized`), ``annealing_time``, ``anneal_schedule``,
    ``num_steps``, ``time_step`` and ``auto_scale``, and refuses combinations that mean nothing:
    a digitized protocol has no path, pause or reverse anneal and needs ``time_step`` (or
    ``annealing_time = P dt``); ``time_step`` belongs to the digitized protocol only.

    Examples:
        >>> protocol({"schedule": "digitized", "num_steps": 3, "time_step": 0.3}).auto_scale
        False
        >>> protocol({"annealing_time": 2.0, "num_steps": 2}).layers[:2]   # A(0.25)/4, B(0.25)/2
        (('x', 0.1875), ('z', 0.125))
    """
    schedule = opts.get("schedule")
    num_steps = opts.get("num_steps")
    if num_steps is not None and (not isinstance(num_steps, (int, np.integer)) or isinstance(num_steps, bool)
                                  or num_steps < 1):
        raise ValueError(f"num_steps: must be a positive int, got {num_steps!r}")
    time_step = opts.get("time_step")
    if isinstance(schedule, str) and schedule == "digitized" or isinstance(schedule, Digitized):
        if opts.get("anneal_schedule") is not None:
            raise ValueError("anneal_schedule: the digitized protocol runs s = p/P from 0 to 1; it takes no path")
        if opts.get("initial_state") is not None:
            raise ValueError("initial_state: the digitized protocol starts from |+>^N")
        if isinstance(schedule, Digitized):
            if num_steps is not None or time_step is not None or opts.get("annealing_time") is not None:
                raise ValueError("schedule: a Digitized object already fixes P and dt; drop num_steps/time_step/annealing_time")
            dig = schedule
        else:
            P = default_steps if num_steps is None else int(num_steps)
            T = opts.get("annealing_time")
            if time_step is None and T is None:
                raise ValueError("time_step: the digitized protocol needs the Trotter step dt (or annealing_time = P dt)")
            if time_step is not None and T is not None and not math.isclose(float(time_step) * P, float(T), rel_tol=1e-12):
                raise ValueError(f"annealing_time: {T!r} is not num_steps x time_step = {P} x {time_step!r}")
            dig = Digitized(P, time_step if time_step is not None else float(T) / P)
        auto = opts.get("auto_scale")
        return Protocol(tuple(dig.layers()), False, bool(auto) if auto is not None else False, dig, None, None)
    if time_step is not None:
        raise ValueError("time_step: only the digitized protocol (schedule='digitized') takes it; use num_steps")
    sch, path = resolve(schedule, opts.get("annealing_time"), opts.get("anneal_schedule"))
    dts, mids = path.steps(default_steps if num_steps is None else int(num_steps))
    auto = opts.get("auto_scale")
    return Protocol(tuple(trotter_layers(sch, dts, mids)), path.reverse, True if auto is None else bool(auto),
                    sch, path, (dts, mids))
