"""A sweep declaration: specs (or a spec template with a grid) x solvers (with parameter grids) x seeds.

The TOML file, validated like a spec (every error names the dotted field and the fix)::

    name = "perceptron-scaling"
    num_reads = 20            # reads per task (a solver entry may override it)
    instances = 10            # instance k draws the spec with seed = spec seed + k (or a list of seeds)
    seeds = [0]               # solver seeds: each task is one (instance, solver, params, seed) run
    eps = 1e-9                # success tolerance (relative), as in ``compare``

    [template]                # a spec (same keys as a spec file); the grid fills in its fields
    name = "perceptron-N{data.n}-alpha{data.alpha}"
    data = { source = "perceptron", labels = "random" }
    model = { loss = "zero-one", output = { bias = false, activation = "sign" } }

    [grid]                    # dotted spec field -> values; the template runs at every combination
    "data.n" = [21, 51, 101]
    "data.alpha" = [0.3, 0.5]

    [[solvers]]
    name = "loss-sa"
    params = { num_sweeps = 100 }        # fixed parameters
    grid = { beta_final = [3.0, 5.0] }   # parameter grid: one task per combination
    # also: label, num_reads, hubo = {...}, qubo = {method = "unbalanced"}, reduction = "auto"

Instead of ``[template]``/``[grid]``, ``specs = ["fawaz-p1", "path/to/spec.toml"]`` lists specs.

Examples:
    >>> sw = sweep_from_dict({"name": "s", "specs": ["fawaz-p1"], "solvers": [{"name": "exact"}]})
    >>> sw.name, len(sw.points), sw.solvers[0].label, sw.instances
    ('s', 1, 'exact', (0,))
    >>> sweep_from_dict({"name": "s", "specs": ["fawaz-p1"], "solvers": [{"name": "nope"}]})
    Traceback (most recent call last):
    ...
    anneal_binn.errors.SpecError: solvers[0].name: unknown solver 'nope'; choose one of ...
"""
from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

from anneal_binn.errors import SpecError

TOP_KEYS = {"name", "description", "num_reads", "instances", "seeds", "eps", "specs", "template", "grid", "solvers"}
SOLVER_KEYS = {"name", "label", "params", "grid", "num_reads", "hubo", "qubo", "reduction"}
MAX_TASKS = 100_000  # a typo in a grid should not silently queue millions of runs


@dataclass(frozen=True)
class SolverEntry:
    """One solver of the sweep at one parameter combination (grids are already expanded)."""

    label: str            # unique name in the table: the solver name, plus the grid values when there is a grid
    name: str             # registry name
    params: dict          # all parameters (fixed + this grid point)
    grid: dict            # just this grid point's values (become ``param.<key>`` columns)
    num_reads: int
    route: dict           # hubo / qubo / reduction keywords for the Pipeline


@dataclass(frozen=True)
class SpecPoint:
    """One spec of the sweep before instances: a plain spec dict plus the grid values that made it."""

    name: str
    spec: dict
    grid: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Sweep:
    """A validated sweep declaration (see the module docstring for the TOML format)."""

    name: str
    description: str
    points: tuple          # SpecPoint
    solvers: tuple         # SolverEntry
    instances: tuple       # instance offsets added to each spec's seed
    seeds: tuple           # solver seeds
    eps: float
    source: str = "<dict>"
    raw: dict = field(default_factory=dict, repr=False)

    def tasks(self) -> list:
        """Every task, in declaration order (see :func:`anneal_binn.sweep.tasks.expand`)."""
        from anneal_binn.sweep.tasks import expand

        return expand(self)


def _expect(value, types, where: str, what: str):
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise SpecError(where, f"must be {what}, got {value!r}")
    if not isinstance(value, types):
        raise SpecError(where, f"must be {what}, got {type(value).__name__} {value!r}")
    return value


def _check_keys(table: dict, allowed: set, where: str) -> None:
    for key in sorted(table):
        if key not in allowed:
            raise SpecError(f"{where}.{key}" if where else key,
                            f"unknown key; allowed keys are {', '.join(sorted(allowed))}")


def _positive_int(value, where: str) -> int:
    _expect(value, int, where, "a positive integer")
    if value < 1:
        raise SpecError(where, f"must be a positive integer, got {value}")
    return value


def _seed_list(value, where: str, what: str) -> tuple:
    """An int n means 0..n-1; a list is taken as given (distinct integers in [0, 2^31))."""
    if isinstance(value, int) and not isinstance(value, bool):
        return tuple(range(_positive_int(value, where)))
    _expect(value, list, where, f"a count or a list of {what}")
    if not value:
        raise SpecError(where, f"an empty list; give a count (e.g. 10) or a list of {what}")
    for k, s in enumerate(value):
        _expect(s, int, f"{where}[{k}]", "an integer in [0, 2^31)")
        if not 0 <= s < 2**31:
            raise SpecError(f"{where}[{k}]", f"must be an integer in [0, 2^31), got {s}")
    if len(set(value)) != len(value):
        raise SpecError(where, f"{what} must be distinct, got {value}")
    return tuple(value)


def _grid(table, where: str) -> list[dict]:
    """Every combination of a ``key -> [values]`` table, in key order then value order."""
    _expect(table, dict, where, "a table of key = [values]")
    keys = list(table)
    for key in keys:
        values = _expect(table[key], list, f"{where}.{key}", "a list of values")
        if not values:
            raise SpecError(f"{where}.{key}", "an empty list; give at least one value")
        canon = [json.dumps(v, sort_keys=True) for v in values]
        if len(set(canon)) != len(canon):
            raise SpecError(f"{where}.{key}", f"values must be distinct, got {values}")
    return [dict(zip(keys, combo)) for combo in itertools.product(*(table[k] for k in keys))] or [{}]


def _set_dotted(spec: dict, dotted: str, value, where: str) -> None:
    parts = dotted.split(".")
    node = spec
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise SpecError(where, f"{dotted!r}: {p!r} is not a table in the template")
    node[parts[-1]] = value


def _fmt_value(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _fill(name: str, point: dict) -> str:
    """``"perceptron-N{data.n}"`` with the grid point's values; an unknown field is an error naming it."""
    import re

    def sub(m):
        if m.group(1) not in point:
            raise SpecError("template.name", f"{{{m.group(1)}}} is not a [grid] key; "
                            f"use one of {', '.join('{' + k + '}' for k in point) or 'none (no grid)'}")
        return _fmt_value(point[m.group(1)])

    return re.sub(r"\{([^{}]+)\}", sub, name)


def _points(raw: dict) -> list[SpecPoint]:
    from anneal_binn.spec import load_spec, spec_from_dict

    has_specs, has_template = "specs" in raw, "template" in raw
    if has_specs == has_template:
        raise SpecError("specs", "give either specs = [catalogue names or paths] or a [template] spec with a [grid]"
                        if not has_specs else "give specs or [template], not both")
    if "grid" in raw and not has_template:
        raise SpecError("grid", "a grid fills in a [template] spec; add [template] or drop [grid]")
    points = []
    if has_specs:
        items = _expect(raw["specs"], list, "specs", "a list of catalogue names or spec paths")
        if not items:
            raise SpecError("specs", "an empty list; give at least one catalogue name or spec path")
        for k, item in enumerate(items):
            _expect(item, str, f"specs[{k}]", "a catalogue name or spec path")
            try:
                spec = load_spec(item)
            except SpecError as exc:
                raise SpecError(f"specs[{k}]", str(exc)) from None
            points.append(SpecPoint(spec.name, spec.to_dict()))
    else:
        template = _expect(raw["template"], dict, "template", "a table (a spec with fields to fill in)")
        for point in _grid(raw.get("grid", {}), "grid"):
            spec = copy.deepcopy(template)
            for key, value in point.items():
                _set_dotted(spec, key, value, f"grid.{key}")
            name = str(spec.get("name", raw.get("name", "sweep")))
            name = _fill(name, point)
            if not any(_fmt_value(v) in name for v in point.values()) and len(point):
                name = name + "-" + "-".join(f"{k.rsplit('.', 1)[-1]}{_fmt_value(v)}" for k, v in point.items())
            spec["name"] = name
            try:
                spec_from_dict(spec)
            except SpecError as exc:
                message = str(exc)[len(exc.field) + 2:] if str(exc).startswith(f"{exc.field}: ") else str(exc)
                at = ", ".join(f"{k} = {v}" for k, v in point.items())
                raise SpecError(f"template.{exc.field}",
                                message + (f" (at grid point {at})" if at else "")) from None
            points.append(SpecPoint(name, spec, dict(point)))
    names = [p.name for p in points]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise SpecError("specs" if has_specs else "template.name", f"two specs are both named {dup!r}; "
                        "give each a distinct name (a template name can use {grid.key} fields)")
    return points


def _solvers(raw: dict, num_reads: int) -> list[SolverEntry]:
    from anneal_binn import reduction as reduction_module
    from anneal_binn import solvers as registry
    from anneal_binn.spec import HUBO_METHODS

    if "solvers" not in raw:
        raise SpecError("solvers", "required: an array of tables, e.g. [[solvers]] name = \"loss-sa\"")
    items = _expect(raw["solvers"], list, "solvers", "an array of tables ([[solvers]])")
    if not items:
        raise SpecError("solvers", "an empty list; add at least one [[solvers]] table")
    out = []
    for k, table in enumerate(items):
        where = f"solvers[{k}]"
        _expect(table, dict, where, "a table")
        _check_keys(table, SOLVER_KEYS, where)
        if "name" not in table:
            raise SpecError(f"{where}.name", "required: a registry name (anneal-binn solve --list)")
        name = _expect(table["name"], str, f"{where}.name", "a solver name")
        if name not in registry.available():
            raise SpecError(f"{where}.name",
                            f"unknown solver {name!r}; choose one of {', '.join(registry.available())}")
        params = dict(_expect(table.get("params", {}), dict, f"{where}.params", "a table of parameters"))
        reads = _positive_int(table.get("num_reads", num_reads), f"{where}.num_reads")
        route = {}
        if "hubo" in table:
            hubo = dict(_expect(table["hubo"], dict, f"{where}.hubo", "a table, e.g. {method = \"auxiliary\"}"))
            if hubo.get("method", "fourier") not in HUBO_METHODS:
                raise SpecError(f"{where}.hubo.method", f"unknown HUBO method {hubo['method']!r}; "
                                f"choose one of {', '.join(HUBO_METHODS)}")
            route["hubo"] = hubo
        if "qubo" in table:
            qubo = dict(_expect(table["qubo"], dict, f"{where}.qubo", "a table, e.g. {method = \"unbalanced\"}"))
            if "method" not in qubo:
                raise SpecError(f"{where}.qubo.method", "required: the QUBO encoding, e.g. method = \"unbalanced\"")
            route["qubo"] = qubo
        if "reduction" in table:
            method = _expect(table["reduction"], str, f"{where}.reduction", "a reduction method name")
            if method not in reduction_module.METHODS:
                raise SpecError(f"{where}.reduction", f"unknown method {method!r}; "
                                f"choose one of {', '.join(reduction_module.METHODS)}")
            route["reduction"] = method
        grid_points = _grid(table.get("grid", {}), f"{where}.grid")
        clash = sorted(set(params) & set(grid_points[0]))
        if clash:
            raise SpecError(f"{where}.grid.{clash[0]}", "is also in params; give it in one place")
        base = _expect(table.get("label", name), str, f"{where}.label", "a string")
        for point in grid_points:
            label = base if not point else base + "[" + ",".join(f"{k}={_fmt_value(v)}" for k, v in point.items()) + "]"
            out.append(SolverEntry(label, name, {**params, **point}, dict(point), reads, route))
    labels = [s.label for s in out]
    if len(set(labels)) != len(labels):
        dup = next(n for n in labels if labels.count(n) > 1)
        raise SpecError("solvers", f"two entries are both labelled {dup!r}; give one a distinct label = \"...\"")
    return out


def sweep_from_dict(raw: dict, source: str = "<dict>") -> Sweep:
    """Validate a sweep declaration given as a dict (the parsed TOML)."""
    _expect(raw, dict, "sweep", "a table")
    _check_keys(raw, TOP_KEYS, "")
    name = _expect(raw.get("name", Path(source).stem if source != "<dict>" else "sweep"), str, "name", "a string")
    description = _expect(raw.get("description", ""), str, "description", "a string")
    num_reads = _positive_int(raw.get("num_reads", 10), "num_reads")
    eps = _expect(raw.get("eps", 1e-9), (int, float), "eps", "a non-negative number")
    if not 0 <= eps < float("inf"):
        raise SpecError("eps", f"must be a non-negative number, got {eps}")
    instances = _seed_list(raw.get("instances", 1), "instances", "instance seed offsets")
    seeds = _seed_list(raw.get("seeds", [0]), "seeds", "solver seeds")
    points = _points(raw)
    solvers = _solvers(raw, num_reads)
    total = len(points) * len(instances) * len(solvers) * len(seeds)
    if total > MAX_TASKS:
        raise SpecError("grid", f"{total} tasks is more than {MAX_TASKS}; shrink a grid, instances or seeds")
    return Sweep(name, description, tuple(points), tuple(solvers), instances, seeds, float(eps), source,
                 copy.deepcopy(raw))


def catalogue() -> list[str]:
    """Names of the shipped sweep declarations (``anneal_binn/sweep/catalogue/*.toml``)."""
    from importlib import resources

    root = resources.files("anneal_binn.sweep").joinpath("catalogue")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def load_sweep(name_or_path) -> Sweep:
    """Load and validate a sweep declaration from a TOML file or a shipped name.

    Examples:
        >>> sw = load_sweep("perceptron-scaling")
        >>> sw.name, [s.label for s in sw.solvers]
        ('perceptron-scaling', ['loss-sa', 'loss-sqa', 'sbpi'])
    """
    from importlib import resources

    from anneal_binn.spec import read_toml

    p = Path(name_or_path)
    if not p.is_file():
        entry = resources.files("anneal_binn.sweep").joinpath("catalogue", f"{name_or_path}.toml")
        if not entry.is_file():
            raise SpecError("sweep", f"no declaration file {str(name_or_path)!r} and no shipped sweep of that name; "
                            f"shipped: {', '.join(catalogue())}")
        p = entry
    raw = read_toml(p, "a sweep declaration")
    return sweep_from_dict(raw, str(p))
