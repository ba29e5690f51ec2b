"""TOML formulation specs → validated, frozen :class:`Spec`.

A spec names the data, the model (layers, architecture bits, loss) and run defaults. Every
error names the field as a dotted path and says how to fix it.

Example spec (``anneal_binn/catalogue/fawaz-p1.toml``)::

    name = "fawaz-p1"
    [data]
    source = "fawaz"
    problem = 1
    [model]
    loss = "zero-one"
    [[model.hidden]]
    width = 2
    activation = "sign"
    [model.output]
    activation = "sign"

Examples:
    >>> spec = spec_from_dict({"name": "t", "data": {"source": "fawaz"},
    ...     "model": {"loss": "zero-one", "hidden": [{"width": 2}], "output": {"activation": "sign"}}})
    >>> spec.model["hidden"][0]["activation"]  # always a sequence: the choices of an activation bit
    ('sign',)
    >>> spec.model["hidden"][0]["width"] = (3,)
    Traceback (most recent call last):
    ...
    TypeError: FrozenTable is read-only; spec.to_dict() gives a mutable copy
"""
from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from anneal_binn.errors import SpecError, SpecNotFoundError
from anneal_binn.model.activations import ACTIVATIONS
from anneal_binn.model.losses import DEFAULT_REDUCTION, LOSSES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

def _catalogue_files():
    """The shipped catalogue (``anneal_binn/catalogue/*.toml``), read through importlib.resources
    so it works from a wheel, a zip or an editable install alike."""
    from importlib.resources import files

    return {p.name[:-5]: p for p in files("anneal_binn.catalogue").iterdir() if p.name.endswith(".toml")}

TOP_KEYS = {"name", "description", "seed", "data", "model", "run", "select"}
MODEL_KEYS = {"hidden", "output", "loss", "reduction"}
HIDDEN_KEYS = {"width", "bias", "activation", "mask", "neuron_mask"}
OUTPUT_KEYS = {"width", "bias", "activation", "mask"}
RUN_KEYS = {"solver", "baseline", "num_reads", "exact_limit", "landscape_limit", "hubo", "qubo", "params"}
HUBO_METHODS = ("fourier", "symbolic", "auxiliary")
OUTPUT_ACTIVATIONS = set(ACTIVATIONS) | {"softmax"}


class FrozenTable(dict):
    """A read-only ``dict``: a spec table that cannot be changed after validation.

    It stays a ``dict`` subclass (not a ``types.MappingProxyType``) so that code that checks
    ``isinstance(table, dict)`` (the data loaders) or serialises it (``json.dumps``, pickle)
    keeps working; reading is unchanged. Every mutating method raises ``TypeError``.
    """

    __slots__ = ()

    def _read_only(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is read-only; spec.to_dict() gives a mutable copy")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self):
        # dict's default pickling refills the new object item by item through __setitem__
        return (type(self), (dict(self),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self  # immutable all the way down (see freeze), so a copy is the table itself


def freeze(value):
    """``value`` with every dict made a :class:`FrozenTable` and every list a tuple, recursively."""
    if isinstance(value, dict):
        return FrozenTable((k, freeze(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value):
    """Plain mutable copy of a frozen value: dicts for tables, lists for tuples (TOML arrays)."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return copy.deepcopy(value)


@dataclass(frozen=True)
class Spec:
    """A validated formulation spec, read-only all the way down.

    ``data``, ``model`` and ``run`` are normalized tables frozen at construction
    (:class:`FrozenTable`, with tuples for lists), so a Spec cannot drift from what was
    validated and a Problem built from it cannot change under the caller's feet. Read them as
    usual (``spec.model["hidden"][0]["width"]``); :meth:`to_dict` gives plain mutable copies.
    """

    name: str
    description: str
    seed: int
    data: dict
    model: dict
    run: dict = field(default_factory=dict)
    source: str = ""
    select: dict = field(default_factory=dict)  # neuron selection (anneal_binn.selection.spec); {} = none

    def __post_init__(self):
        # frozen dataclass: object.__setattr__ is the sanctioned way to normalize a field
        for name in ("data", "model", "run", "select"):
            object.__setattr__(self, name, freeze(getattr(self, name)))

    def to_dict(self) -> dict:
        """The spec as plain, mutable dicts and lists (a deep copy; editing it leaves the Spec alone)."""
        out = {
            "name": self.name,
            "description": self.description,
            "seed": self.seed,
            "data": thaw(self.data),
            "model": thaw(self.model),
            "run": thaw(self.run),
        }
        if self.select:
            out["select"] = thaw(self.select)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    for key in sorted(table):
        if key not in allowed:
            raise SpecError(f"{where}.{key}", f"unknown key; allowed keys are {', '.join(sorted(allowed))}")


def _expect(value, types, where: str, what: str):
    # bool is an int subclass: reject it where an integer is meant.
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise SpecError(where, f"must be {what}, got {value!r}")
    if not isinstance(value, types):
        raise SpecError(where, f"must be {what}, got {type(value).__name__} {value!r}")
    return value


def _choices(value, where: str, kind: str, allowed=None) -> list:
    """A single value or a list of 2, 4, 8, ... choices (one bit per doubling)."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise SpecError(where, "an empty list; give one value or a list of choices")
    n = len(items)
    if n > 1 and n & (n - 1):
        raise SpecError(where, f"a list of choices needs 2, 4, 8, ... entries (each bit doubles them); got {n}")
    for k, item in enumerate(items):
        w = where if n == 1 and not isinstance(value, list) else f"{where}[{k}]"
        if kind == "width":
            _expect(item, int, w, "a positive integer")
            if item < 1:
                raise SpecError(w, f"must be a positive integer, got {item}")
        else:
            _expect(item, str, w, "a string")
            if item not in allowed:
                raise SpecError(w, f"unknown activation {item!r}; choose one of {', '.join(sorted(allowed))}")
    if len(set(items)) != n:
        raise SpecError(where, f"choices must be distinct, got {items}")
    return list(items)


def _layer(table, where: str, hidden: bool) -> dict:
    _expect(table, dict, where, "a table")
    _check_keys(table, HIDDEN_KEYS if hidden else OUTPUT_KEYS, where)
    out = {
        "activation": _choices(table.get("activation", "sign"), f"{where}.activation", "activation",
                               set(ACTIVATIONS) if hidden else OUTPUT_ACTIVATIONS),
        "bias": _expect(table.get("bias", False), bool, f"{where}.bias", "true or false"),
        "mask": _expect(table.get("mask", False), bool, f"{where}.mask", "true or false"),
    }
    if hidden:
        if "width" not in table:
            raise SpecError(f"{where}.width", "required: the number of units, or a list of width choices")
        out["width"] = _choices(table["width"], f"{where}.width", "width")
        out["neuron_mask"] = _expect(table.get("neuron_mask", False), bool, f"{where}.neuron_mask", "true or false")
        if "softmax" in out["activation"]:
            raise SpecError(f"{where}.activation", "softmax is only for the output layer")
    else:
        if "width" in table:
            w = _expect(table["width"], int, f"{where}.width", "a positive integer")
            if w < 1:
                raise SpecError(f"{where}.width", f"must be a positive integer, got {w}")
            out["width"] = [w]
    return out


def spec_from_dict(raw: dict, source: str = "<dict>") -> Spec:
    """Validate a spec given as a dict (the parsed TOML)."""
    _expect(raw, dict, "spec", "a table")
    _check_keys(raw, TOP_KEYS, "spec")
    name = _expect(raw.get("name", Path(source).stem if source != "<dict>" else "unnamed"), str, "name", "a string")
    description = _expect(raw.get("description", ""), str, "description", "a string")
    seed = _expect(raw.get("seed", 0), int, "seed", "an integer")
    if "data" not in raw:
        raise SpecError("data", "required table, e.g. [data] source = \"fawaz\"")
    data = _expect(raw["data"], dict, "data", "a table")
    if "source" not in data:
        raise SpecError("data.source", "required: the data set name")
    _expect(data["source"], str, "data.source", "a string")
    if "model" not in raw:
        raise SpecError("model", "required table with loss, hidden layers and output")
    m = _expect(raw["model"], dict, "model", "a table")
    _check_keys(m, MODEL_KEYS, "model")
    loss = _expect(m.get("loss", "zero-one"), str, "model.loss", "a string")
    if loss not in LOSSES:
        raise SpecError("model.loss", f"unknown loss {loss!r}; choose one of {', '.join(sorted(LOSSES))}")
    reduction = _expect(m.get("reduction", DEFAULT_REDUCTION[loss]), str, "model.reduction", "a string")
    if reduction not in ("sum", "mean"):
        raise SpecError("model.reduction", f"must be 'sum' or 'mean', got {reduction!r}")
    hidden_raw = m.get("hidden", [])
    _expect(hidden_raw, list, "model.hidden", "an array of tables ([[model.hidden]])")
    hidden = [_layer(t, f"model.hidden[{k}]", True) for k, t in enumerate(hidden_raw)]
    output = _layer(m.get("output", {}), "model.output", False)
    if loss == "bce" and output["activation"] != ["sigmoid"]:
        raise SpecError("model.output.activation", "the bce loss needs activation = \"sigmoid\" on the output layer")
    if loss == "softmax-ce" and any(a not in ("softmax", "identity") for a in output["activation"]):
        raise SpecError("model.output.activation", "the softmax-ce loss needs activation = \"softmax\" (or \"identity\" logits)")
    if "softmax" in output["activation"] and loss not in ("softmax-ce", "mse"):
        raise SpecError("model.output.activation", f"softmax outputs go with loss softmax-ce or mse, not {loss}")
    run = _expect(raw.get("run", {}), dict, "run", "a table")
    _check_keys(run, RUN_KEYS, "run")
    for key in ("num_reads", "exact_limit", "landscape_limit"):
        if key in run:
            v = _expect(run[key], int, f"run.{key}", "a positive integer")
            if v < 1:
                raise SpecError(f"run.{key}", f"must be a positive integer, got {v}")
    for key in ("solver", "baseline"):
        if key in run:
            _expect(run[key], str, f"run.{key}", "a solver name")
            from anneal_binn import solvers

            if run[key] not in solvers.available():
                raise SpecError(f"run.{key}", f"unknown solver {run[key]!r}; choose one of {', '.join(solvers.available())}")
    for key in ("hubo", "qubo", "params"):
        if key in run:
            _expect(run[key], dict, f"run.{key}", "a table")
    if "method" in run.get("hubo", {}):
        method = _expect(run["hubo"]["method"], str, "run.hubo.method", "a string")
        if method not in HUBO_METHODS:
            raise SpecError("run.hubo.method", f"unknown HUBO method {method!r}; choose one of {', '.join(HUBO_METHODS)}")
    if "qubo" in run and "method" not in run["qubo"]:
        raise SpecError("run.qubo.method", "required: the QUBO encoding, e.g. method = \"unbalanced\"")
    model = {"loss": loss, "reduction": reduction, "hidden": hidden, "output": output}
    select = {}
    if "select" in raw:
        from anneal_binn.selection.spec import validate

        select = validate(_expect(raw["select"], dict, "select", "a table"))
    return Spec(name, description, seed, copy.deepcopy(data), model, copy.deepcopy(run), source, select)


def catalogue() -> list[str]:
    """Names of the specs in the shipped catalogue (``anneal_binn/catalogue/*.toml``)."""
    return sorted(_catalogue_files())


def resolve(name_or_path: str | Path):
    """A path to an existing spec file, or the catalogue resource of that name."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    entry = _catalogue_files().get(str(name_or_path))
    if entry is not None:
        return entry
    raise SpecNotFoundError("spec",
        f"no spec file {str(name_or_path)!r} and no catalogue entry of that name; catalogue: {', '.join(catalogue())}"
    )


def load_spec(name_or_path: str | Path) -> Spec:
    """Load and validate a spec from a TOML file or a catalogue name.

    Examples:
        >>> load_spec("fawaz-p2").data["problem"]
        2
    """
    path = resolve(name_or_path)
    return spec_from_dict(read_toml(path), str(path))


def read_toml(path, what: str = "a spec") -> dict:
    """Parse a TOML file (a path or an importlib resource); every failure is one SpecError line.

    Examples:
        >>> read_toml(resolve("fawaz-p1"))["data"]["source"]
        'fawaz'
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(str(path), f"not a UTF-8 text file (byte {exc.start}); {what} is a TOML text file") from None
    except OSError as exc:
        raise SpecError(str(path), f"cannot be read ({exc.strerror or exc}); check the path and its permissions") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(str(path), f"not valid TOML: {exc}") from None
