"""TTS99 of every candidate solver on the catalogue specs, beside the peer HUBO pipelines, in one run.

What decides the default route (``pipeline.default_solver`` and each catalogue spec's ``[run] solver``)
is the **route TTS99** measured here: for every candidate, over a grid of sweeps,

    route TTS99 = input + t_read ln(0.01) / ln(1 - p)

- ``t_read``: wall time of one call of the solver divided by its reads (one call per grid point).
- ``p``: the fraction of reads whose *true* BiNN loss equals the target. On specs that enumerate
  (the Fourier HUBO exists) the target is the exact optimum (landscape), so this is TTS99. Past
  enumeration success is not definable; the target is the best loss any row of this run reached
  (perceptrons: zero errors) or, lower, one known from outside the run (``KNOWN_BEST``), so the
  column is **time-to-target** at the best known loss. A spec where no row reaches it gets no winner.
- ``input``: the one-time cost of what the solver is handed, measured once: the Fourier HUBO
  (``problem.to_hubo``, which computes the landscape) for HUBO solvers, that plus
  ``reduce(method="substitution")`` for QUBO solvers, the spec's QUBO encoding (``problem.to_qubo``)
  where it names one, and nothing for the loss annealers and for ``exact (landscape)``, which are
  handed the problem (their model build is inside ``t_read``). ``exact (landscape)`` is the route
  ``default_solver`` takes for small N: one enumeration, p = 1.
- The best grid point per row is kept (the optimal anneal length, as in Ronnow et al., Science
  2014); the bracket is the 95% interval from the Wilson interval of p at that point.

The solver-only TTS99 (without ``input``) is printed too: it is the per-solver comparison the
issue's peers line up on (dimod ``HigherOrderComposite`` + dwave-samplers SA, OpenJij
``SASampler.sample_hubo``, PyQUBO + SA), all handed the same HUBO.

``--json FILE`` writes the winners (and every row) to a table; ``benchmarks/solvers.json`` is the
committed one and ``tests/solvers/test_default_route.py`` checks that ``default_solver`` picks its
winner on every spec it lists.

A second table is the per-time head-to-head: ``hubo-sa`` vs OpenJij ``sample_hubo`` on the design
note's random degree-4 HUBO (40 variables, 2,000 terms), at equal sweeps, both single-threaded.

Timings are noisy on a shared 2-core machine; BLAS and numba are pinned to one thread. Every
pipeline is run once untimed first (numba compilation, imports).

Usage:
    python benchmarks/solvers.py [--quick] [--specs a,b] [--reads 100] [--sweeps 10,100,1000] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import dimod  # noqa: E402
import numpy as np  # noqa: E402

import anneal_binn as ab  # noqa: E402
from anneal_binn import metrics  # noqa: E402

QUICK_SPECS = ["fawaz-p1", "fawaz-p2", "fawaz-meta-p1"]
ENUMERABLE_SPECS = QUICK_SPECS + ["gaussian-activation", "gaussian-width", "digits4x4-logistic", "mnist4x4-logistic"]
LARGE_SPECS = ["perceptron-N21-alpha0.5", "perceptron-N101-alpha0.5", "perceptron-N101-alpha0.7", "perceptron-N201-alpha0.5",
               "perceptron-N201-alpha0.7", "mnist-perceptron-785", "digits-hidden", "mnist8x8-activation"]
FULL_SPECS = ENUMERABLE_SPECS + LARGE_SPECS
# Best losses known from outside this run, where a run's own grid cannot reach them within its budget:
# digits-hidden, 16 training errors with loss-sa at 5,000 sweeps (its catalogue spec's measured note).
KNOWN_BEST = {"digits-hidden": 16.0}
HUBO_LIMIT = 17  # specs with at most this many bits get the Fourier HUBO, its solvers and the peers
PEERS = ("peer openjij sample_hubo", "peer dimod HOC + SA", "peer pyqubo + SA")


# --- pipelines: each maps (model, n, reads, sweeps, seed) -> (samples (R, N) bits over 0..N-1, seconds) ----
def _bits(ss: dimod.SampleSet, n: int) -> np.ndarray:
    cols = [ss.variables.index(v) if v in ss.variables else None for v in range(n)]
    X = np.zeros((len(ss), n), dtype=np.uint8)
    for j, c in enumerate(cols):
        if c is not None:
            X[:, j] = ss.record.sample[:, c]
    if ss.vartype is dimod.SPIN:
        X = (X.astype(np.int8) + 1) // 2
    return np.repeat(X, ss.record.num_occurrences, axis=0).astype(np.uint8)


SWEPT = ("sa", "sqa", "hubo-sa", "loss-sa", "loss-sqa", "loss-replicated")


class Row:
    """One candidate: how to call it, what it is handed, and whether the sweeps grid applies."""

    def __init__(self, label, fn, handed, swept=True, solver=None):
        self.label, self.fn, self.handed, self.swept, self.solver = label, fn, handed, swept, solver


def ours(name: str, **params):
    def run(model, n, reads, sweeps, seed):
        sampler = ab.solvers.get(name, **params.get("ctor", {}))
        kw = dict(params.get("sample", {}))
        if name in SWEPT:
            kw["num_sweeps"] = sweeps
        entry = ab.solvers.entry(name)
        t0 = time.perf_counter()
        if entry.input == "hubo":
            ss = sampler.sample_poly(model, num_reads=reads, seed=seed, **kw)
        elif entry.input == "problem":
            ss = sampler.sample_problem(model, num_reads=reads, seed=seed, **kw)
        else:
            bqm, red = model
            ss = sampler.sample(bqm, num_reads=reads, seed=seed, **kw)
            if red is not None:
                ss = red.project(ss)
        return _bits(ss, n), time.perf_counter() - t0
    return run


def exact_landscape(spec_name):
    """The default small-N route: enumerate a freshly built problem (landscape uncached), p = 1."""
    def run(model, n, reads, sweeps, seed):
        fresh = ab.build(ab.load_spec(spec_name))
        t0 = time.perf_counter()
        ss = ab.solve(fresh, solver="exact", num_reads=1)
        return _bits(ss, n), time.perf_counter() - t0
    return run


def peer_dimod_hoc(poly, n, reads, sweeps, seed):
    from dwave.samplers import SimulatedAnnealingSampler

    t0 = time.perf_counter()
    ss = dimod.HigherOrderComposite(SimulatedAnnealingSampler()).sample_poly(
        poly, num_reads=reads, num_sweeps=sweeps, seed=seed)
    return _bits(ss, n), time.perf_counter() - t0


def peer_openjij(poly, n, reads, sweeps, seed):
    import openjij as oj

    J = {tuple(sorted(k)): v for k, v in poly.items() if k}
    t0 = time.perf_counter()
    res = oj.SASampler().sample_hubo(J, vartype=poly.vartype.name, num_reads=reads, num_sweeps=sweeps, seed=seed)
    dt = time.perf_counter() - t0
    X = np.zeros((len(res.record.sample), n), dtype=np.int64)
    for j, v in enumerate(res.variables):
        X[:, v] = res.record.sample[:, j]
    if poly.vartype is dimod.SPIN:
        X = (X + 1) // 2
    occ = getattr(res.record, "num_occurrences", np.ones(len(X), dtype=int))
    return np.repeat(X, occ, axis=0).astype(np.uint8), dt


def peer_pyqubo(poly, n, reads, sweeps, seed):
    import pyqubo
    from dwave.samplers import SimulatedAnnealingSampler

    t0 = time.perf_counter()
    x = [pyqubo.Binary(f"x{i}") for i in range(n)]
    H = 0
    for term, c in poly.items():
        m = c
        for v in term:
            m = m * x[v]
        H = H + m
    model = H.compile()
    bqm = model.to_bqm()
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=reads, num_sweeps=sweeps, seed=seed)
    X = np.array([[s[f"x{i}"] if f"x{i}" in s else 0 for i in range(n)] for s in ss.samples()], dtype=np.uint8)
    return X, time.perf_counter() - t0


def enumerable_rows(spec, n, terms, max_qubo_terms, quick):
    qubo_ok = terms <= max_qubo_terms
    rows = [Row("exact (landscape)", exact_landscape(spec), "problem", False, "exact"),
            Row("exact (HUBO)", ours("exact"), "hubo", False, "exact"),
            Row("ours hubo-sa", ours("hubo-sa"), "hubo", True, "hubo-sa"),
            Row("ours loss-sa", ours("loss-sa"), "problem", True, "loss-sa"),
            Row("ours loss-sqa", ours("loss-sqa"), "problem", True, "loss-sqa"),
            Row("ours loss-replicated", ours("loss-replicated"), "problem", True, "loss-replicated")]
    if qubo_ok:
        rows += [Row("ours sa (reduce)", ours("sa"), "qubo", True, "sa"),
                 Row("ours sqa (reduce)", ours("sqa"), "qubo", True, "sqa"),
                 Row("ours tabu (reduce)", ours("tabu", sample={"timeout": 20}), "qubo", False, "tabu"),
                 Row("ours steepest (reduce)", ours("steepest"), "qubo", False, "steepest")]
    if n <= 16:
        rows.append(Row("ours statevector-qa", ours("statevector-qa", sample={"annealing_time": 50.0, "num_steps": 100}),
                        "hubo", False, "statevector-qa"))
    if n <= 8 or (not quick and n <= 10):
        rows.append(Row("ours mps-qa", ours("mps-qa", sample={"annealing_time": 50.0, "num_steps": 50, "max_bond": 16}),
                        "hubo", False, "mps-qa"))
    rows.append(Row("peer openjij sample_hubo", peer_openjij, "hubo"))
    if qubo_ok:
        rows.append(Row("peer dimod HOC + SA", peer_dimod_hoc, "hubo"))
    if qubo_ok and terms <= 2000:
        rows.append(Row("peer pyqubo + SA", peer_pyqubo, "hubo"))
    return rows


def large_rows(problem):
    """Past enumeration: the loss annealers, and the spec's QUBO encoding with SA when it names one."""
    rows = [Row("ours loss-sa", ours("loss-sa"), "problem", True, "loss-sa"),
            Row("ours loss-sqa", ours("loss-sqa"), "problem", True, "loss-sqa"),
            Row("ours loss-replicated", ours("loss-replicated"), "problem", True, "loss-replicated")]
    if problem.spec.run.get("qubo"):
        rows.append(Row("ours sa (spec QUBO)", ours("sa"), "spec-qubo", True, "sa"))
    return rows


def fmt(x):
    return "inf" if math.isinf(x) else f"{x:.3g}"


EXACT_REPEATS = 5
REPEATS, REPEAT_BELOW_S = 3, 2.0  # calls faster than this are timed REPEATS times, fastest kept


def measure(row, model, problem, n, reads, sweeps_grid, seed, target, input_s, budget):
    """Run one row over its grid; returns every point (the caller keeps the lowest route TTS).

    Calls under ``REPEAT_BELOW_S`` seconds are repeated (same seed, same reads) and the fastest time
    kept. A grid point whose predicted time (the last point's, scaled by the sweeps) exceeds ``budget``
    seconds is skipped, and said so. ``exact`` is deterministic with p = 1, so its bracket is not a
    binomial one: it is timed ``EXACT_REPEATS`` times, the fastest is its time and [min, max] its bracket.
    """
    grid = sweeps_grid if row.swept else [None]
    row.fn(model, n, 1, grid[0] or 10, seed)  # untimed: compilation, imports, caches
    points, last = [], None
    for sweeps in grid:
        if last is not None and last["seconds"] * sweeps / last["sweeps"] > budget:
            print(f"  {row.label:26s} {sweeps:>6} skipped: predicted {last['seconds'] * sweeps / last['sweeps']:.0f} s "
                  f"> --point-budget {budget:g} s")
            break
        if row.label.startswith("exact"):
            runs = [row.fn(model, n, 1, 0, seed) for _ in range(EXACT_REPEATS)]
            bits, times = runs[0][0], sorted(t for _, t in runs)
            sec = times[0]  # the fastest, as for every other row
            losses = problem.losses(bits)
            p = float(np.all(metrics.is_success(losses, target, 1e-9)))
            tts, ci = (sec, [times[0], times[-1]]) if p == 1.0 else (math.inf, [math.inf, math.inf])
        else:
            bits, sec = row.fn(model, n, reads, sweeps or 0, seed)
            # the same seed gives the same reads; a cheap call is repeated and its fastest time kept,
            # since other processes on a shared machine only ever add time
            for _ in range(REPEATS - 1):
                if sec > REPEAT_BELOW_S:
                    break
                sec = min(sec, row.fn(model, n, reads, sweeps or 0, seed)[1])
            losses = problem.losses(bits)
            k = len(losses)
            succ = int(np.count_nonzero(metrics.is_success(losses, target, 1e-9)))
            t = metrics.tts99_ci(sec / k, succ, k)
            p, tts, ci = t.p, t.tts, [t.low, t.high]
        last = {"sweeps": sweeps, "reads": len(losses), "seconds": sec, "p": p, "tts": tts, "ci": ci,
                "route_tts": input_s + tts, "route_ci": [input_s + ci[0], input_s + ci[1]],
                "best": float(losses.min()), "losses": losses}
        points.append(last)
    return points


def reads99(p: float) -> int:
    """Reads for a 99% chance that one reaches the target: the number the TTS99 counts."""
    return 1 if p >= 0.99 else math.ceil(math.log(0.01) / math.log(1.0 - p))


# A route displaces exact only when it is this many times faster at its 95% upper bound: between runs of
# this benchmark on a shared 2-core machine, exact on fawaz-p1 timed 0.29, 0.85, 0.54 and 0.61 ms.
EXACT_MARGIN = 2.0


def pick_winner(ranked):
    """The default route from rows sorted by route TTS99: the fastest, except that exact keeps it
    unless the fastest other route's 95% upper bound is ``EXACT_MARGIN`` times below exact's time (a
    tie within the run-to-run timing noise goes to the route that certifies the optimum)."""
    exact = [kv for kv in ranked if kv[0] == "exact (landscape)"]
    if exact and ranked[0][0] != exact[0][0] and \
            ranked[0][1]["route_ci"][1] * EXACT_MARGIN >= exact[0][1]["route_tts"]:
        return exact[0]
    return ranked[0]


def spec_table(spec, reads, sweeps_grid, seed, max_qubo_terms, quick, budget=60.0):
    problem = ab.build(ab.load_spec(spec))
    n = problem.num_variables
    enumerable = n <= min(problem.landscape_limit, 22)
    inputs, models = {"problem": 0.0}, {"problem": problem}
    if n <= HUBO_LIMIT:
        t0 = time.perf_counter()
        poly = ab.build(ab.load_spec(spec)).to_hubo()  # fresh: the landscape is part of the cost
        inputs["hubo"] = time.perf_counter() - t0
        models["hubo"] = poly
        target = float(problem.landscape().min())
        rows = enumerable_rows(spec, n, len(poly), max_qubo_terms, quick)
        if any(r.handed == "qubo" for r in rows):
            t0 = time.perf_counter()
            models["qubo"] = ab.reduce(poly, method="substitution")
            inputs["qubo"] = inputs["hubo"] + time.perf_counter() - t0
        head = f"N={n}, HUBO {len(poly)} terms, optimum loss {target:.6g} (TTS99)"
    else:
        rows = large_rows(problem)
        if any(r.handed == "spec-qubo" for r in rows):
            t0 = time.perf_counter()
            models["spec-qubo"] = problem.to_qubo(**dict(problem.spec.run["qubo"]))
            inputs["spec-qubo"] = time.perf_counter() - t0
        if enumerable:  # the landscape fits but its 2^N-term HUBO is not worth building
            rows.insert(0, Row("exact (landscape)", exact_landscape(spec), "problem", False, "exact"))
            target = float(problem.landscape().min())
            head = f"N={n}, optimum loss {target:.6g} (TTS99; no HUBO rows: 2^{n} terms)"
        else:
            target = None  # the best loss any row reaches, known after all rows ran
            head = f"N={n}, past enumeration (time-to-target at the best known loss)"
    print(f"\n{spec}: {head}")
    results = {}
    for row in rows:
        try:
            results[row.label] = measure(row, models[row.handed], problem, n, reads, sweeps_grid, seed,
                                         target if target is not None else -math.inf, inputs[row.handed], budget)
        except Exception as exc:  # a peer failing must not hide the other rows
            print(f"  {row.label:26s} failed: {type(exc).__name__}: {exc}")
    if target is None:
        target = min([pt["best"] for pts in results.values() for pt in pts] + [KNOWN_BEST.get(spec, math.inf)])
        for row in rows:
            for pt in results.get(row.label, []):
                if row.label.startswith("exact"):
                    continue
                k = len(pt["losses"])
                succ = int(np.count_nonzero(metrics.is_success(pt["losses"], target, 1e-9)))
                t = metrics.tts99_ci(pt["seconds"] / k, succ, k)
                inp = inputs[row.handed]
                pt.update(p=t.p, tts=t.tts, ci=[t.low, t.high], route_tts=inp + t.tts,
                          route_ci=[inp + t.low, inp + t.high])
        print(f"  target (best known loss) = {target:.6g}")
    print(f"  {'pipeline':26s} {'sweeps':>6s} {'input s':>8s} {'t_read s':>9s} {'p':>6s} {'TTS99 s':>9s} "
          f"{'route TTS99 s':>13s} {'95% CI':>21s} {'best':>8s}")
    out = {"num_variables": n, "target": target, "kind": "tts99" if enumerable else "time-to-target", "rows": {}}
    by_label = {r.label: r for r in rows}
    for label, pts in results.items():
        best = min(pts, key=lambda pt: (pt["route_tts"], pt["sweeps"] or 0))
        row = by_label[label]
        inp = inputs[row.handed]
        print(f"  {label:26s} {best['sweeps'] or '-':>6} {inp:8.3g} {best['seconds'] / best['reads']:9.3g} "
              f"{best['p']:6.3f} {fmt(best['tts']):>9s} {fmt(best['route_tts']):>13s} "
              f"[{fmt(best['route_ci'][0]):>8s}, {fmt(best['route_ci'][1]):>8s}] {best['best']:8.4g}")
        out["rows"][label] = {"solver": row.solver, "input_s": inp,
                              **{k: v for k, v in best.items() if k != "losses"},
                              "grid": [{k: v for k, v in pt.items() if k != "losses"} for pt in pts]}
    ranked = sorted((r for r in out["rows"].items() if not math.isinf(r[1]["route_tts"])),
                    key=lambda kv: kv[1]["route_tts"])
    ours_ranked = [kv for kv in ranked if kv[1]["solver"]]
    if ours_ranked:
        label, win = pick_winner(ours_ranked)
        out["winner"] = {"label": label, "solver": win["solver"], "sweeps": win["sweeps"],
                         "reads99": reads99(win["p"]), "route_tts": win["route_tts"], "route_ci": win["route_ci"]}
        fastest = ours_ranked[0]
        line = f"  default route: {label} ({fmt(win['route_tts'])} s)"
        if fastest[0] != label:
            line += (f"; {fastest[0]} is {fmt(fastest[1]['route_tts'])} s but its 95% bound "
                     f"{fmt(fastest[1]['route_ci'][1])} s is not {EXACT_MARGIN:g}x below exact's time, "
                     "and exact certifies the optimum")
        elif len(ours_ranked) > 1:
            nxt = ours_ranked[1]
            line += f"; runner-up {nxt[0]} ({fmt(nxt[1]['route_tts'])} s, {nxt[1]['route_tts'] / win['route_tts']:.3g}x)"
        print(line)
        if ranked and ranked[0][0] in PEERS:
            print(f"  NOTE: a peer is faster than every package solver: {ranked[0][0]}")
    else:
        out["note"] = (f"no row reached the best known loss {target:.6g} within --point-budget; "
                       "the benchmark names no default for this spec")
        print("  " + out["note"])
    ref = out["rows"].get("ours hubo-sa")
    if ref and not math.isinf(ref["tts"]):
        for peer in PEERS:
            if peer in out["rows"]:
                other = out["rows"][peer]["tts"]
                ratio = ref["tts"] / other if not math.isinf(other) else 0.0
                print(f"  solver-only TTS99 ours hubo-sa / {peer}: {ratio:.3g}"
                      + ("  (peer never succeeded)" if math.isinf(other) else ""))
    return out


def head_to_head(sweeps_list, reads, seed):
    import numba

    numba.set_num_threads(1)
    print("\n== hubo-sa vs OpenJij sample_hubo: random degree-4 HUBO, 40 vars, 2000 terms, 1 thread each ==")
    rng = np.random.default_rng(0)
    terms = {}
    for _ in range(2000):
        t = tuple(sorted(rng.choice(40, 4, replace=False).tolist()))
        terms[t] = terms.get(t, 0.0) + float(rng.uniform(-1, 1))
    for vartype in ("SPIN", "BINARY"):
        poly = dimod.BinaryPolynomial(terms, vartype)
        ab.solvers.get("hubo-sa")  # warm-up outside the timings
        runs = {}
        for sweeps in sweeps_list:
            for who in ("hubo-sa", "openjij"):
                t0 = time.perf_counter()
                if who == "hubo-sa":
                    e = ab.solvers.get("hubo-sa").sample_poly(poly, num_reads=reads, num_sweeps=sweeps,
                                                              seed=seed).record.energy
                else:
                    import openjij as oj

                    e = oj.SASampler().sample_hubo({k: v for k, v in terms.items()}, vartype=vartype,
                                                   num_reads=reads, num_sweeps=sweeps, seed=seed).energies
                runs[(who, sweeps)] = (np.asarray(e, dtype=float), time.perf_counter() - t0)
        best = min(e.min() for e, _ in runs.values())
        print(f"\n{vartype}: best energy found by either = {best:.4f}")
        print(f"  {'sweeps':>6s} {'who':8s} {'time s':>8s} {'mean E':>9s} {'min E':>9s} {'p(best)':>8s} {'TTS99 s':>9s}")
        for sweeps in sweeps_list:
            tts = {}
            for who in ("hubo-sa", "openjij"):
                e, sec = runs[(who, sweeps)]
                p = float(np.mean(e <= best + 1e-6 * max(1, abs(best))))
                tts[who] = metrics.tts99(sec / len(e), p)
                print(f"  {sweeps:6d} {who:8s} {sec:8.3f} {e.mean():9.3f} {e.min():9.3f} {p:8.3f} {fmt(tts[who]):>9s}")
            t_ratio = runs[("hubo-sa", sweeps)][1] / runs[("openjij", sweeps)][1]
            tts_ratio = tts["hubo-sa"] / tts["openjij"] if not math.isinf(tts["openjij"]) else float("nan")
            print(f"  {sweeps:6d} ratio ours/openjij: time {t_ratio:.2f}, TTS99 {fmt(tts_ratio)}")


def finite(obj):
    """``obj`` with every inf/nan float as None (strict JSON; the tests read None as "never reached")."""
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small specs, fewer reads")
    ap.add_argument("--specs", help="comma-separated spec names (default: quick or full set)")
    ap.add_argument("--reads", type=int, default=None)
    ap.add_argument("--sweeps", help="comma-separated grid of sweeps (default 10,100,1000; quick 10,100)")
    ap.add_argument("--large-reads", type=int, default=8, help="reads per point past enumeration")
    ap.add_argument("--large-sweeps", default="200,1000,5000", help="sweeps grid past enumeration")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-qubo-terms", type=int, default=4000, help="skip QUBO pipelines above this HUBO size")
    ap.add_argument("--point-budget", type=float, default=60.0,
                    help="skip a grid point predicted to take longer than this (seconds per call)")
    ap.add_argument("--json", help="write the per-spec rows and winners to this file")
    ap.add_argument("--skip-catalogue", action="store_true")
    ap.add_argument("--skip-head-to-head", action="store_true")
    a = ap.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows up as each row finishes
    reads = a.reads or (50 if a.quick else 100)
    grid = [int(x) for x in (a.sweeps or ("10,100" if a.quick else "10,100,1000")).split(",")]
    large_grid = [int(x) for x in a.large_sweeps.split(",")]
    specs = a.specs.split(",") if a.specs else (QUICK_SPECS if a.quick else FULL_SPECS)
    print("timings are noisy: shared 2-core machine; threads pinned to 1")
    print("command: python benchmarks/solvers.py " + " ".join(sys.argv[1:] if argv is None else argv))
    if not a.skip_catalogue:
        table = {}
        for spec in specs:
            problem_n = ab.build(ab.load_spec(spec)).num_variables
            if problem_n <= HUBO_LIMIT:
                table[spec] = spec_table(spec, reads, grid, a.seed, a.max_qubo_terms, a.quick, a.point_budget)
            else:
                table[spec] = spec_table(spec, a.large_reads, large_grid, a.seed, a.max_qubo_terms, a.quick, a.point_budget)
        if a.json:
            doc = {"command": "python benchmarks/solvers.py " + " ".join(sys.argv[1:] if argv is None else argv),
                   "specs": table}
            with open(a.json, "w") as fh:
                json.dump(finite(doc), fh, indent=1, allow_nan=False)
                fh.write("\n")
    if not a.skip_head_to_head:
        head_to_head([100, 1000] if a.quick else [100, 300, 1000, 3000], 20 if a.quick else 50, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
