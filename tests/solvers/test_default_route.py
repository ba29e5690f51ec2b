"""The default route of every benchmarked catalogue spec is the benchmark's winner.

``benchmarks/solvers.json`` is the committed output of ``benchmarks/solvers.py --json`` (its
command is in the file). These tests re-derive each winner from the table's own rows with the
benchmark's rule, and check that ``pipeline.default_solver`` (the spec's ``[run] solver``, else
exact up to the enumeration limit) picks it, with the winning number of sweeps.
"""
import importlib.util
import math
import json
import os

import pytest

import anneal_binn as ab
from anneal_binn.pipeline import default_solver

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE = os.path.join(ROOT, "benchmarks", "solvers.json")


def _benchmark():
    spec = importlib.util.spec_from_file_location("_bench_solvers", os.path.join(ROOT, "benchmarks", "solvers.py"))
    module = importlib.util.module_from_spec(spec)
    # the script pins BLAS/numba threads in os.environ for its own timing; keep that out of this test
    # process (numba refuses to compile once NUMBA_NUM_THREADS differs from its launched thread count)
    saved = dict(os.environ)
    try:
        spec.loader.exec_module(module)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return module


def _inf(obj):
    """The table is strict JSON: a TTS that was never reached is null; read it back as inf."""
    if isinstance(obj, dict):
        return {k: (math.inf if v is None and k in ("tts", "route_tts") else _inf(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [math.inf if v is None else _inf(v) for v in obj]
    return obj


def _table() -> dict:
    with open(TABLE) as fh:
        return _inf(json.load(fh)["specs"])


SPECS = sorted(name for name, entry in _table().items() if "winner" in entry)
UNRESOLVED = sorted(name for name, entry in _table().items() if "winner" not in entry)


def test_table_covers_the_enumerable_catalogue():
    bench = _benchmark()
    from anneal_binn.spec import catalogue

    assert set(bench.ENUMERABLE_SPECS) <= set(SPECS)
    assert set(bench.FULL_SPECS) == set(SPECS) | set(UNRESOLVED) and set(bench.FULL_SPECS) <= set(catalogue())


@pytest.mark.parametrize("spec", UNRESOLVED)
def test_a_spec_without_a_winner_never_reached_its_best_known_loss(spec):
    """No default is claimed where no row reached the best known loss (one from outside the run)."""
    bench = _benchmark()
    entry = _table()[spec]
    assert entry["target"] == bench.KNOWN_BEST[spec]
    assert all(pt["best"] > entry["target"] for row in entry["rows"].values() for pt in row["grid"])


@pytest.mark.parametrize("spec", SPECS)
def test_winner_follows_from_the_rows(spec):
    bench = _benchmark()
    entry = _table()[spec]
    ranked = sorted(((label, row) for label, row in entry["rows"].items()
                     if row["solver"] and not math.isinf(row["route_tts"])), key=lambda kv: kv[1]["route_tts"])
    label, _ = bench.pick_winner(ranked)
    assert label == entry["winner"]["label"]


@pytest.mark.parametrize("spec", SPECS)
def test_default_route_is_the_winner(spec):
    entry = _table()[spec]
    win = entry["winner"]
    problem = ab.build(ab.load_spec(spec))
    assert default_solver(problem) == win["solver"]
    if win["solver"] != "exact" and win["sweeps"] is not None:
        # the winning anneal length, and enough reads for the 99% the TTS promises
        assert problem.spec.run["params"]["num_sweeps"] == win["sweeps"]
        assert problem.spec.run["num_reads"] == _benchmark().reads99(entry["rows"][win["label"]]["p"])
