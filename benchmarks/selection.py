"""Quantum neuron selection (seed 001): global vs local selection vs edge-popup, one run.

What it shows (each section prints a table; everything goes to ``benchmarks/selection.json``):

1. ``select-tiny`` (16 selection bits, enumerable): the exact optimum subnetwork by enumeration
   (global selection, 16 qubits), and local selection with blocks of 1, 2, 4, 8 and 16 bits
   (exact subproblems): the gap of each to the optimum, the largest subproblem, the subproblems
   solved. Edge-popup (8 of 16 edges) beside them.
3. Gate-model and annealing-schedule solvers on local subproblems: full local selections of
   ``select-tiny`` whose every subproblem is solved by ``grover``, ``hypernet``, ``statevector-qa``
   and ``mps-qa``, each answer compared with the exact optimum of its subproblem; then 8-bit
   blocks of the 10-class digits net (at the random start of its local selection, where its first
   sweep meets them) solved by the same solvers and by ``qpu`` (``MockDWaveSampler``), against
   exact enumeration of the block.
2. ``select-digits`` (10 classes, 10,240 selection bits over the output edges of a 1,024-unit
   random sign layer): local selection with 8-bit subproblems (exact) until ``--sweeps`` sweeps,
   its test accuracy per sweep, beside edge-popup (50% of the edges) and global selection by
   ``loss-sa`` (all 10,240 bits at once) on the same weights.
4. ``select-mnist`` (MNIST 0 vs 1, 64 neuron bits): local (12-bit blocks) vs global (the
   64-variable readout QUBO with SA, and loss-sa).

Usage::

    PYTHONPATH=. python benchmarks/selection.py            # 4.4 min on 2 idle cores (9-17 min when shared)
    PYTHONPATH=. python benchmarks/selection.py --quick    # 2 digits sweeps and fewer solvers, about 3 min
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import anneal_binn as ab
from anneal_binn.selection import select_global, select_local
from anneal_binn.selection.api import selection_problem
from anneal_binn.selection.edge_popup import edge_popup
from anneal_binn.selection.solve import solve

OUT = Path(__file__).with_suffix(".json")


def row(r, ref=None) -> dict:
    d = {"method": r.method, "solver": r.solver, "block": r.block_size, "qubits": r.largest_subproblem,
         "subproblems": r.num_subproblems, "sweeps": r.sweeps, "converged": r.converged, "kept": r.kept,
         "objective": r.objective, "train": r.train, "test": r.test, "seconds": round(r.seconds, 2)}
    if ref is not None:
        gap = r.objective - ref
        d["gap"] = 0.0 if abs(gap) <= 1e-12 * max(1.0, abs(ref)) else gap   # round-off of two summation orders
    if r.checks:
        d["checks"] = dict(r.checks)
    return d


def table(rows, cols):
    print(" | ".join(f"{c:>10}" for c in cols))
    for r in rows:
        out = []
        for c in cols:
            v = r.get(c)
            out.append(f"{v:>10.4g}" if isinstance(v, float) else f"{str(v):>10}")
        print(" | ".join(out))


def tiny(results, quick):
    print("\n== 1. select-tiny: 16 bits, enumerable ==")
    sel = selection_problem("select-tiny")
    g = select_global(sel, solver="exact")
    rows = [row(g, g.optimum)]
    for k in (1, 2, 4, 8, 16):
        rows.append(row(select_local(sel, solver="exact", block_size=k, partition="layer", seed=0), g.optimum))
    rows.append(row(edge_popup(sel, keep=0.5, epochs=100, seed=0), g.optimum))
    table(rows, ["method", "block", "qubits", "subproblems", "sweeps", "objective", "gap", "train", "test"])
    results["tiny"] = {"optimum": g.optimum, "rows": rows}
    ok = [r for r in rows if r["method"] != "edge-popup"]
    print("global exact optimum:", g.optimum, "| local gaps by block size:",
          {r["block"]: r["gap"] for r in ok if r["method"] == "local"})


def gate_model(results, quick, digits_state=None, sel_digits=None):
    print("\n== 3. subproblems by gate-model and annealing-schedule solvers ==")
    sel = selection_problem("select-tiny")
    solvers = {"grover": {}, "hypernet": {"layers": 1, "restarts": 2, "maxiter": 100},
               "statevector-qa": {"annealing_time": 50.0}, "mps-qa": {}}
    if quick:
        solvers.pop("mps-qa")
    rows = []
    for name, params in solvers.items():
        r = select_local(sel, solver=name, block_size=4, partition="layer", seed=0, params=params, verify=True,
                         num_reads=100)
        rows.append({**row(r), "solver": name, "equal": f"{r.checks['equal']}/{r.checks['compared']}"})
    table(rows, ["solver", "block", "qubits", "subproblems", "equal", "objective", "seconds"])
    results["gate_tiny"] = rows
    if digits_state is None:
        return
    # 8-bit blocks of the digits net at the start of its local selection: each solver against enumeration
    from anneal_binn.selection.blocks import partition
    from anneal_binn.selection.solve import optimality

    blocks = partition(sel_digits.roles(), "neuron", 8)
    rng = np.random.default_rng(0)
    picks = rng.choice(len(blocks), 2 if quick else 4, replace=False)
    solvers = {"grover": ({}, 100), "hypernet": ({"layers": 1, "restarts": 2, "maxiter": 100}, 200),
               "statevector-qa": ({"annealing_time": 50.0}, 100), "mps-qa": ({}, 100), "qpu": ({"mock": True}, 100)}
    if quick:
        solvers.pop("mps-qa")
    drows = []
    for b in picks:
        sub = sel_digits.restriction(blocks[b], digits_state)
        opt = float(sub.exact().optimum)
        for name, (params, reads) in solvers.items():
            ans = solve(sub, name, seed=0, num_reads=reads, params=params)
            equal, gap = optimality(sub, ans.bits)
            drows.append({"block": int(b), "solver": name, "qubits": ans.qubits, "value": ans.value, "optimum": opt,
                          "gap": gap, "equal": equal, "seconds": round(ans.seconds, 2)})
    table(drows, ["block", "solver", "qubits", "value", "optimum", "gap", "equal", "seconds"])
    results["gate_digits"] = drows


def digits(results, quick, sweeps):
    print("\n== 2. select-digits: 10 classes, 10,240 selection bits ==")
    sel = selection_problem("select-digits")
    hist = []
    loc = select_local(sel, solver="exact", block_size=8, partition="neuron", max_sweeps=sweeps, seed=0,
                       on_sweep=lambda h: (hist.append(h), print("  sweep", h, flush=True)))
    ep = edge_popup(sel, keep=0.5, epochs=50, lr=0.1, seed=0)
    glob = select_global(sel, solver="loss-sa", num_reads=1, seed=0, params={"num_sweeps": 10 if quick else 40})
    rows = [row(loc), row(ep), row(glob)]
    table(rows, ["method", "solver", "block", "qubits", "subproblems", "sweeps", "kept", "objective", "train", "test",
                 "seconds"])
    results["digits"] = {"rows": rows, "history": list(loc.history),
                         "reached_90": bool(loc.test >= 0.90), "largest_subproblem": loc.largest_subproblem}
    print(f"local selection, subproblems of {loc.largest_subproblem} qubits: test accuracy {loc.test:.4f} "
          f"({'>=' if loc.test >= 0.9 else '<'} 90%); edge-popup {ep.test:.4f}; global loss-sa {glob.test:.4f}")
    return sel, loc.state


def mnist(results, quick):
    print("\n== 4. select-mnist: 64 neuron bits, MNIST 0 vs 1 ==")
    sel = selection_problem("select-mnist")
    rows = [row(select_local(sel, solver="exact", block_size=12, partition="block", seed=0)),
            row(select_global(sel, solver="sa", qubo={"method": "readout"}, num_reads=100, seed=0)),
            row(select_global(sel, solver="loss-sa", num_reads=2, seed=0, params={"num_sweeps": 100}))]
    table(rows, ["method", "solver", "block", "qubits", "subproblems", "kept", "objective", "train", "test", "seconds"])
    results["mnist"] = rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer sweeps and solvers")
    ap.add_argument("--sweeps", type=int, default=None, help="local selection sweeps on select-digits (default 4, quick 2)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    results = {"quick": args.quick}
    tiny(results, args.quick)
    sel_d, _ = digits(results, args.quick, args.sweeps or (2 if args.quick else 4))
    gate_model(results, args.quick, sel_d.initial_state("random", 0), sel_d)   # the blocks of its first sweep
    mnist(results, args.quick)
    results["seconds"] = round(time.perf_counter() - t0, 1)
    from anneal_binn.jsonio import to_jsonable

    OUT.write_text(json.dumps(to_jsonable(results), indent=1))
    print(f"\nwrote {OUT} ({results['seconds']} s)")


if __name__ == "__main__":
    main()
