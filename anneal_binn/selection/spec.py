"""The ``[select]`` table of a spec: what to select, how, and what to run beside it.

```toml
[select]
over = "edges"             # edges (connection-mask bits) | neurons (neuron-mask bits)
layers = [1]               # layers whose bits are selected (default: every layer that has them)
weight_seed = 0            # the random weights (default: the spec's seed)
method = "local"           # the answer: local | global | edge-popup
compare = ["edge-popup"]   # methods run beside it on the same weights by `anneal-binn run`
[select.sparsity]          # optional target
keep = 0.5                 # a fraction of the selection bits, or a number of them
constraint = "exact"       # exact (k-of-n) | penalty
strength = 1.0             # the penalty's weight (required for penalty)
[select.local]             # block coordinate descent
solver = "exact"           # any registered solver but ste/sbpi/cpr
partition = "neuron"       # neuron | layer | block
block_size = 12            # bits per subproblem at most (the qubits)
max_sweeps = 20
tol = 1e-9
init = "random"            # random | all
seed = 0
num_reads = 1              # also: params = {...}, qubo = {method = "readout"}, reduction = "auto"
[select.global]            # all bits at once: solver (default exact up to 20 bits, else loss-sa),
solver = "loss-sa"         # num_reads, params, qubo, reduction, seed
[select.edge_popup]        # the baseline: keep, epochs, lr, momentum, weight_decay, batch_size, seed
epochs = 100
```

:func:`validate` checks the table (every error names its dotted field) and returns it with
defaults filled in; :func:`method_options` gives one method's keyword arguments.

Examples:
    >>> t = validate({"method": "local", "local": {"block_size": 8}})
    >>> t["over"], t["local"]["block_size"], t["compare"]
    ('edges', 8, ['edge-popup'])
    >>> validate({"local": {"block_sise": 8}})
    Traceback (most recent call last):
    ...
    anneal_binn.errors.SpecError: select.local.block_sise: unknown key; allowed keys are block_size, init, max_sweeps, num_reads, params, partition, qubo, reduction, seed, solver, tol
"""
from __future__ import annotations

from anneal_binn.errors import SpecError

METHODS = ("local", "global", "edge-popup")
TOP_KEYS = {"over", "layers", "weight_seed", "method", "compare", "sparsity", "local", "global", "edge_popup"}
SOLVER_KEYS = {"solver", "num_reads", "params", "qubo", "reduction", "seed"}
LOCAL_KEYS = SOLVER_KEYS | {"partition", "block_size", "max_sweeps", "tol", "init"}
EDGE_POPUP_KEYS = {"keep", "epochs", "lr", "momentum", "weight_decay", "batch_size", "seed"}
SPARSITY_KEYS = {"keep", "constraint", "strength"}
TABLE = {"local": "local", "global": "global", "edge-popup": "edge_popup"}


def _check_keys(table, allowed, where):
    if not isinstance(table, dict):
        raise SpecError(where, f"must be a table, got {type(table).__name__}")
    for key in sorted(table):
        if key not in allowed:
            raise SpecError(f"{where}.{key}", f"unknown key; allowed keys are {', '.join(sorted(allowed))}")


def _int(table, key, where, lo=1, default=None):
    v = table.get(key, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise SpecError(f"{where}.{key}", f"must be an integer >= {lo}, got {v!r}")
    return v


def _num(table, key, where, default, lo=0.0, strict=False):
    v = table.get(key, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (v <= lo if strict else v < lo):
        raise SpecError(f"{where}.{key}", f"must be a number {'>' if strict else '>='} {lo}, got {v!r}")
    return float(v)


def _solver_table(table, where, keys, solver_default):
    _check_keys(table, keys, where)
    out = dict(table)
    if "solver" in table or solver_default:
        name = table.get("solver", solver_default)
        if not isinstance(name, str):
            raise SpecError(f"{where}.solver", f"must be a solver name, got {name!r}")
        from anneal_binn import solvers
        from anneal_binn.selection.solve import LOSS_ANNEALERS

        if name not in solvers.available():
            raise SpecError(f"{where}.solver", f"unknown solver {name!r}; choose one of {', '.join(solvers.available())}")
        if solvers.entry(name).input == "problem" and name not in LOSS_ANNEALERS:
            raise SpecError(f"{where}.solver", f"{name!r} trains a net's weights; selection takes the exact, HUBO and "
                            f"QUBO solvers and the loss annealers")
        out["solver"] = name
    _int(table, "num_reads", where)
    _int(table, "seed", where, lo=0)
    for key in ("params", "qubo"):
        if key in table and not isinstance(table[key], dict):
            raise SpecError(f"{where}.{key}", "must be a table")
    if "qubo" in table and "method" not in table["qubo"]:
        raise SpecError(f"{where}.qubo.method", "required: the QUBO encoding, e.g. method = \"readout\"")
    if "reduction" in table and not isinstance(table["reduction"], str):
        raise SpecError(f"{where}.reduction", "must be a reduction method name")
    return out


def validate(raw: dict) -> dict:
    """The ``[select]`` table checked, with defaults filled in."""
    where = "select"
    _check_keys(raw, TOP_KEYS, where)
    over = raw.get("over", "edges")
    if over not in ("edges", "neurons"):
        raise SpecError("select.over", f"choose 'edges' or 'neurons', got {over!r}")
    layers = raw.get("layers")
    if layers is not None and (not isinstance(layers, list) or not layers
                               or not all(isinstance(l, int) and not isinstance(l, bool) and l >= 0 for l in layers)):
        raise SpecError("select.layers", f"a non-empty list of layer indices (0 = first hidden), got {layers!r}")
    ws = raw.get("weight_seed")
    if ws is not None and (isinstance(ws, bool) or not isinstance(ws, int) or ws < 0):
        raise SpecError("select.weight_seed", f"must be a non-negative integer, got {ws!r}")
    method = raw.get("method", "local")
    if method not in METHODS:
        raise SpecError("select.method", f"choose one of {', '.join(METHODS)}, got {method!r}")
    compare = raw.get("compare", ["edge-popup"] if over == "edges" and method != "edge-popup" else [])
    if not isinstance(compare, list) or any(m not in METHODS for m in compare):
        raise SpecError("select.compare", f"a list of methods among {', '.join(METHODS)}, got {compare!r}")
    if over != "edges" and "edge-popup" in compare + [method]:
        raise SpecError("select.compare" if method != "edge-popup" else "select.method",
                        "edge-popup scores edges; it needs over = \"edges\"")
    out = {"over": over, "method": method, "compare": [m for m in compare if m != method]}
    if layers is not None:
        out["layers"] = list(layers)
    if ws is not None:
        out["weight_seed"] = ws
    if "sparsity" in raw:
        sp = raw["sparsity"]
        _check_keys(sp, SPARSITY_KEYS, "select.sparsity")
        keep = sp.get("keep")
        if keep is None:
            raise SpecError("select.sparsity.keep", "required: a fraction in (0, 1) or a number of bits")
        if isinstance(keep, bool) or not isinstance(keep, (int, float)) or keep < 0 or (
                isinstance(keep, float) and not 0.0 < keep < 1.0):
            raise SpecError("select.sparsity.keep", f"a fraction in (0, 1) or a number of bits, got {keep!r}")
        constraint = sp.get("constraint", "exact")
        if constraint not in ("exact", "penalty"):
            raise SpecError("select.sparsity.constraint", f"choose 'exact' or 'penalty', got {constraint!r}")
        strength = _num(sp, "strength", "select.sparsity", None, strict=True)
        if constraint == "penalty" and strength is None:
            raise SpecError("select.sparsity.strength", "required for constraint = \"penalty\": the penalty's weight")
        out["sparsity"] = {"keep": keep, "constraint": constraint, **({"strength": strength} if strength else {})}
    loc = _solver_table(raw.get("local", {}), "select.local", LOCAL_KEYS, "exact")
    from anneal_binn.selection.blocks import PARTITIONS

    if loc.get("partition", "neuron") not in PARTITIONS:
        raise SpecError("select.local.partition", f"choose one of {', '.join(PARTITIONS)}, got {loc['partition']!r}")
    loc.setdefault("partition", "neuron")
    loc["block_size"] = _int(loc, "block_size", "select.local", default=12)
    loc["max_sweeps"] = _int(loc, "max_sweeps", "select.local", default=20)
    loc["tol"] = _num(loc, "tol", "select.local", 1e-9)
    if loc.get("init", "random") not in ("random", "all"):
        raise SpecError("select.local.init", f"choose 'random' or 'all', got {loc['init']!r}")
    out["local"] = loc
    out["global"] = _solver_table(raw.get("global", {}), "select.global", SOLVER_KEYS, None)
    ep = dict(raw.get("edge_popup", {}))
    _check_keys(ep, EDGE_POPUP_KEYS, "select.edge_popup")
    if "keep" in ep:
        _num(ep, "keep", "select.edge_popup", None, strict=True)
    for key in ("epochs", "batch_size"):
        _int(ep, key, "select.edge_popup")
    _int(ep, "seed", "select.edge_popup", lo=0)
    for key in ("lr", "momentum", "weight_decay"):
        _num(ep, key, "select.edge_popup", None)
    out["edge_popup"] = ep
    return out


def method_options(table: dict, method: str) -> dict:
    """Keyword arguments of ``method`` (its table; ``qubo``/``params`` as plain dicts)."""
    from anneal_binn.spec import thaw

    return thaw(dict(table.get(TABLE[method], {})))
