"""Tasks: one (spec instance, solver, params, seed) run each, with a stable id and a flat result row.

A task is a plain JSON-able dict, so it pickles to any Dask worker and hashes the same everywhere:
its id is the SHA-256 of its canonical JSON inputs (not Python's ``hash()``, which changes with
PYTHONHASHSEED), so a resumed sweep recognises the tasks it already ran.

Examples:
    >>> from anneal_binn.sweep.declaration import sweep_from_dict
    >>> sw = sweep_from_dict({"name": "s", "specs": ["fawaz-p1"], "seeds": [0, 1],
    ...                       "solvers": [{"name": "exact"}, {"name": "sa", "grid": {"num_sweeps": [10, 20]}}]})
    >>> tasks = expand(sw)
    >>> len(tasks), tasks[1]["label"], len(tasks[0]["task_id"])
    (6, 'exact', 16)
    >>> row = run_task(tasks[0])
    >>> row["status"], row["best_loss"], row["exact_optimum"]
    ('ok', 0.0, 0.0)
"""
from __future__ import annotations

import hashlib
import json
import os
import time
import traceback

# which of a task's keys decide its result (and so its id); labels and the sweep's name do not
ID_KEYS = ("spec", "solver", "params", "route", "num_reads", "seed")


def canonical(obj) -> str:
    """Canonical JSON: sorted keys, no spaces; floats by repr (the same on every platform)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def task_id(task: dict) -> str:
    """16 hex digits of SHA-256 over the task's result-deciding inputs.

    Examples:
        >>> task_id({"spec": {"seed": 1}, "solver": "sa", "params": {}, "route": {}, "num_reads": 5, "seed": 0})
        '5d3d7d70623cb67d'
    """
    return hashlib.sha256(canonical({k: task[k] for k in ID_KEYS}).encode()).hexdigest()[:16]


def expand(sweep) -> list[dict]:
    """Every task of a :class:`~anneal_binn.sweep.declaration.Sweep`, in declaration order.

    Order: spec point, instance, solver entry, seed. Instance ``k`` is the spec with
    ``seed = spec seed + k`` (for a perceptron the seed draws the patterns).
    """
    tasks = []
    for point in sweep.points:
        for offset in sweep.instances:
            spec = dict(point.spec)
            spec["seed"] = int(spec.get("seed", 0)) + int(offset)
            for entry in sweep.solvers:
                for seed in sweep.seeds:
                    t = {"sweep": sweep.name, "spec_name": point.name, "spec": spec, "spec_grid": dict(point.grid),
                         "instance": int(offset), "solver": entry.name, "label": entry.label,
                         "params": dict(entry.params), "param_grid": dict(entry.grid), "route": dict(entry.route),
                         "num_reads": int(entry.num_reads), "seed": int(seed)}
                    t["task_id"] = task_id(t)
                    tasks.append(t)
    ids = [t["task_id"] for t in tasks]
    if len(set(ids)) != len(ids):
        from anneal_binn.errors import SpecError

        raise SpecError("instances", "two tasks have identical inputs (e.g. a spec listed twice with the same "
                        "seed); make every (spec, instance, solver, params, seed) distinct")
    return tasks


def input_columns(task: dict) -> dict:
    """The task's inputs as flat table columns."""
    row = {"task_id": task["task_id"], "sweep": task["sweep"], "spec": task["spec_name"],
           "instance": task["instance"], "instance_seed": task["spec"].get("seed", 0)}
    row.update({k: v for k, v in task["spec_grid"].items()})
    row.update({"solver": task["label"], "solver_name": task["solver"], "params": canonical(task["params"]),
                "route": canonical(task["route"]), "num_reads": task["num_reads"], "seed": task["seed"]})
    row.update({f"param.{k}": v for k, v in task["param_grid"].items()})
    return row


_WARMED: set = set()  # (solver, params, route) already run once in this process: JIT compiled


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"pid{os.getpid()}"


def run_task(task: dict) -> dict:
    """Run one task through :class:`~anneal_binn.pipeline.Pipeline`; never raises.

    Returns the task's input columns plus its measurements; a task that fails has
    ``status = "error"`` and ``error`` holding the exception's one-line message, so one bad task
    never stops a sweep. The first run of a (solver, params) in a process is preceded by a
    one-read warm-up so that ``sample_s`` (and so TTS99) never includes JIT compilation.
    """
    import math

    import numpy as np

    from anneal_binn.pipeline import Pipeline
    from anneal_binn.problem import build
    from anneal_binn.spec import spec_from_dict

    row = input_columns(task)
    row.update(status="ok", error=None, worker=_worker_name())
    t0 = time.perf_counter()
    try:
        tb = time.perf_counter()
        problem = build(spec_from_dict(task["spec"]))
        row["build_s"] = time.perf_counter() - tb
        row["N"] = int(problem.num_variables)
        key = canonical([task["solver"], task["params"], task["route"]])
        if key not in _WARMED:
            Pipeline(problem, task["solver"], params=task["params"], **task["route"]).run(
                seed=task["seed"], num_reads=1, exact=False)
            _WARMED.add(key)
        pipe = Pipeline(problem, task["solver"], params=task["params"], **task["route"])
        result = pipe.run(seed=task["seed"], num_reads=task["num_reads"], exact="auto")
        rep, ss = result.report, result.sampleset
        w = ss.record.num_occurrences.astype(np.int64)
        losses = np.asarray(rep.losses, dtype=np.float64)
        counts: dict[float, int] = {}
        for loss, c in zip(losses.tolist(), w.tolist()):
            counts[loss] = counts.get(loss, 0) + int(c)
        best = rep.to_dict()["best"]
        test_acc = best["accuracy"].get("test")
        row.update({f"{k}": float(v) for k, v in result.timing.items()})
        row.update(reads=int(w.sum()), best_energy=float(ss.record.energy.min()), best_loss=float(losses.min()),
                   mean_loss=float(np.average(losses, weights=w)),
                   train_accuracy=float(best["accuracy"]["train"]),
                   test_accuracy=float("nan") if test_acc is None else float(test_acc),
                   exact_optimum=float("nan") if rep.optimum is None else float(rep.optimum),
                   loss_counts=canonical(sorted([loss, c] for loss, c in counts.items())),
                   warnings=canonical(list(result.warnings)))
        f = result.formulation or {}
        row.update(hubo_terms=(f.get("hubo") or {}).get("num_terms"),
                   qubo_variables=(f.get("qubo") or {}).get("num_variables"),
                   qubo_interactions=(f.get("qubo") or {}).get("num_interactions"),
                   ancillas=(f.get("reduction") or {}).get("num_ancillas"))
        if not math.isfinite(row["best_loss"]):
            raise ValueError(f"best loss is {row['best_loss']}")
    except Exception as exc:  # noqa: BLE001 - a task's failure is data, recorded in its row
        msg = " ".join(f"{type(exc).__name__}: {exc}".split())
        row.update(status="error", error=msg[:2000], traceback=traceback.format_exc()[-4000:])
    row["wall_s"] = time.perf_counter() - t0
    return row
