"""Encodings benchmark: which QUBO of the binary perceptron can an annealer (or a QPU) actually solve?

For each perceptron spec, each QUBO (the exact auxiliary one as the reference, and the
``unbalanced``, ``slack-bounded`` and ``margin`` encodings of :mod:`anneal_binn.formulation.encodings`)
and each solver, one row: variables, interactions, coefficient range (max |bias| / min nonzero
|bias|, BINARY as built), whether the ground state is exact, the training errors of the best
decoded net (``problem.losses(bits)``, the error count of the zero-one loss), the mean over reads
and the wall time of the solver call. Every solver is seeded (seed 0).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/encodings.py            # full grid
    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/encodings.py --quick    # fewer reads and sweeps
    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/encodings.py --gamma    # the unbalanced / margin rule sweep
    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/encodings.py --sizes    # sizes and coefficient ranges only
    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/encodings.py --slack    # slack layouts of slack-bounded

Solvers: ``sa`` (dwave-samplers SimulatedAnnealingSampler), ``sqa`` (PathIntegralAnnealingSampler),
``tabu`` (TabuSampler), ``qpu-mock`` (``anneal_binn.solvers.get("qpu", mock=True)``: Pegasus P16
mock; MockDWaveSampler answers with steepest descent from random states, so this row checks the
QPU path (embedding, chains, unembedding), not QPU quality; tried where the QUBO is a clique that
busclique embeds (K_N up to ~K_180), skipped otherwise), ``decomp-sa`` / ``decomp-qpu``
(``hybrid-decompose`` with an SA or mocked-QPU sub-sampler, for QUBOs larger than a QPU).

Measured (full grid, one process, 2 shared cores; best / mean training errors over reads; SA 32
reads x 2,000 sweeps at N = 101 and 4,000 at N = 201; sqa 8 x 1,000; tabu 4 reads x 2 s):

    spec              QUBO           vars   range(Ising)  sa          sqa         tabu        other
    N101 alpha0.5     auxiliary       458   1.26e4        21 / 26.3   24 / 28.3   11 / 12.8   decomp-sa 23
                      unbalanced      101   145           0 / 0.31    0 / 0.50    0 / 0.00    qpu-mock 11 (steepest-descent mock)
                      slack-bounded   509   153           0 / 1.34    0 / 1.00    8 / 10.8    decomp-sa 8
                      margin          101   128           0 / 0.72    0 / 1.12    0 / 0.75    qpu-mock 12
    N201 alpha0.5     auxiliary      1009   1.31e5        38 / 49.3   43 / 49.9   27 / 38.0   decomp-sa 50
                      unbalanced      201   361           0 / 0.16    0 / 0.62    0 / 0.00    decomp-qpu 1 (K201 > P16)
                      slack-bounded  1009   279           0 / 2.28    1 / 3.25    18 / 21.5   decomp-sa 10
                      margin          201   330           0 / 0.28    0 / 0.88    0 / 0.00    decomp-qpu 4
    N201 alpha0.7     auxiliary      1329   1.87e5        58 / 70.8   67 / 71.4   54 / 66.0   decomp-sa 67
                      unbalanced      201   361           1 / 5.34    4 / 7.00    5 / 5.00    decomp-qpu 8
                      slack-bounded  1329   279           6 / 9.06    9 / 12.3    37 / 42.5   decomp-sa 23
                      margin          201   330           2 / 5.69    5 / 6.75    5 / 5.00    decomp-qpu 7
"""
from __future__ import annotations

import argparse
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import anneal_binn as ab  # noqa: E402
from anneal_binn.formulation import auxiliary, encodings  # noqa: E402

SPECS = ("perceptron-N101-alpha0.5", "perceptron-N201-alpha0.5", "perceptron-N201-alpha0.7")
QUBOS = ("auxiliary", "unbalanced", "slack-bounded", "margin")


def _range(bqm) -> float:
    lin, (_, _, q), _ = bqm.to_numpy_vectors(variable_order=list(range(bqm.num_variables)))
    v = np.abs(np.concatenate([lin, q]))
    v = v[v > 0]
    return float(v.max() / v.min()) if len(v) else 1.0


def build(problem, name: str):
    """(bqm, decode(ss) -> bits, exact flag, seconds to build)."""
    t0 = time.perf_counter()
    if name == "auxiliary":
        bqm, rec = auxiliary.to_qubo(problem)
        exact = True
    else:
        bqm, rec = encodings.to_qubo(problem, encoding=name)
        exact = rec.exact
    return bqm, rec.decode, exact, time.perf_counter() - t0


def settings(quick: bool, n: int) -> dict:
    """Solver parameters per size; --quick cuts reads and sweeps (each cell stays well under a minute)."""
    big = n > 150
    if quick:
        return {"sa": {"num_reads": 16, "num_sweeps": 2000 if big else 1000},
                "sqa": {"num_reads": 8, "num_sweeps": 500},
                "tabu": {"num_reads": 4, "timeout": 500},
                "qpu-mock": {"num_reads": 100},
                "decomp-sa": {"num_reads": 1, "subproblem_size": 50, "max_iter": 30, "num_sweeps": 500},
                "decomp-qpu": {"num_reads": 1, "subproblem_size": 60, "max_iter": 30, "sub_reads": 50}}
    return {"sa": {"num_reads": 32, "num_sweeps": 4000 if big else 2000},
            "sqa": {"num_reads": 8, "num_sweeps": 1000},
            "tabu": {"num_reads": 4, "timeout": 2000},
            "qpu-mock": {"num_reads": 1000},
            "decomp-sa": {"num_reads": 2, "subproblem_size": 50, "max_iter": 100, "num_sweeps": 1000},
            "decomp-qpu": {"num_reads": 2, "subproblem_size": 60, "max_iter": 100, "sub_reads": 100}}


_CLIQUES: dict = {}


def clique_embedding(n: int):
    """A clique embedding of K_n on the P16 mock's graph, or None (busclique, cached on disk)."""
    if n not in _CLIQUES:
        import dwave_networkx as dnx
        from minorminer import busclique

        emb = busclique.find_clique_embedding(n, dnx.pegasus_graph(16))
        _CLIQUES[n] = {i: list(emb[i]) for i in range(n)} if len(emb) == n else None
    return _CLIQUES[n]


def run_solver(solver: str, bqm, params: dict):
    """The solver's SampleSet and seconds, or (None, reason)."""
    from anneal_binn import solvers

    p = dict(params)
    if solver == "qpu-mock":
        V = bqm.num_variables
        dense = bqm.num_interactions == V * (V - 1) // 2
        emb = clique_embedding(V) if dense else None
        if emb is None:
            why = (f"no clique embedding of K_{V} on P16" if dense
                   else "not a clique: too many variables/couplers for P16")
            return None, why
        sampler = solvers.get("qpu", mock=True, embedding=emb)
    elif solver == "decomp-sa":
        sampler = solvers.get("hybrid-decompose", sub_sampler="sa", subproblem_size=p.pop("subproblem_size"),
                              max_iter=p.pop("max_iter"), num_sweeps=p.pop("num_sweeps"))
    elif solver == "decomp-qpu":
        sampler = solvers.get("hybrid-decompose", sub_sampler="qpu", mock=True,
                              subproblem_size=p.pop("subproblem_size"), max_iter=p.pop("max_iter"),
                              sub_reads=p.pop("sub_reads"))
    else:
        sampler = solvers.get(solver)
    t0 = time.perf_counter()
    ss = sampler.sample(bqm, seed=0, **p)
    return ss, time.perf_counter() - t0


def grid(quick: bool, specs, qubos, solver_names) -> list[dict]:
    rows = []
    for spec_name in specs:
        problem = ab.build(ab.load_spec(spec_name))
        N, P = problem.num_variables, len(problem.data.y_train)
        cfg = settings(quick, N)
        for qname in qubos:
            bqm, decode, exact, tb = build(problem, qname)
            for solver in solver_names:
                if solver.startswith("decomp") and qname in ("unbalanced", "margin") and solver == "decomp-sa":
                    continue  # N-variable QUBOs: plain SA is the comparison; decomp-qpu covers K_N > QPU
                if solver == "decomp-qpu" and (qname not in ("unbalanced", "margin") or clique_embedding(N)):
                    continue  # the decomposition's QPU row is for cliques the QPU cannot hold whole
                ss, t = run_solver(solver, bqm, cfg[solver])
                row = {"spec": spec_name, "N": N, "P": P, "qubo": qname, "solver": solver,
                       "variables": bqm.num_variables, "budget": N + 8 * P, "interactions": bqm.num_interactions,
                       "range": _range(bqm), "exact": exact, "build_s": tb}
                if ss is None:
                    row.update(best=None, mean=None, time=None, note=t)
                else:
                    losses = problem.losses(decode(ss))
                    row.update(best=int(losses.min()), mean=float(losses.mean()), time=t, note="")
                rows.append(row)
                print(fmt(row), flush=True)
    return rows


HEADER = (f"{'spec':<26}{'qubo':<15}{'solver':<11}{'vars':>6}{'<=N+8P':>7}{'inter':>9}{'range':>10}{'exact':>6}"
          f"{'best':>6}{'mean':>7}{'time s':>8}  note")


def fmt(r: dict) -> str:
    best = "-" if r["best"] is None else str(r["best"])
    mean = "-" if r["mean"] is None else f"{r['mean']:.2f}"
    t = "-" if r["time"] is None else f"{r['time']:.2f}"
    ok = "yes" if r["variables"] <= r["budget"] else "no"
    return (f"{r['spec']:<26}{r['qubo']:<15}{r['solver']:<11}{r['variables']:>6}{ok:>7}{r['interactions']:>9,}"
            f"{r['range']:>10.4g}{('yes' if r['exact'] else 'no'):>6}{best:>6}{mean:>7}{t:>8}  {r['note']}")


def sizes(specs, qubos) -> None:
    """Build only: variables, interactions and the coefficient ranges a QPU's precision must cover."""
    import dimod

    print(f"{'spec':<26}{'qubo':<15}{'vars':>6}{'N+8P':>6}{'inter':>9}{'range':>10}{'ising':>10}{'exact':>6}{'build s':>8}")
    for spec_name in specs:
        problem = ab.build(ab.load_spec(spec_name))
        N, P = problem.num_variables, len(problem.data.y_train)
        for qname in qubos:
            bqm, _, exact, tb = build(problem, qname)
            ising = bqm.change_vartype(dimod.SPIN, inplace=False)
            h, (_, _, J), _ = ising.to_numpy_vectors(variable_order=list(range(bqm.num_variables)))
            v = np.abs(np.concatenate([h, J]))
            v = v[v > 1e-12 * v.max()]
            print(f"{spec_name:<26}{qname:<15}{bqm.num_variables:>6}{N + 8 * P:>6}{bqm.num_interactions:>9,}"
                  f"{_range(bqm):>10.4g}{v.max() / v.min():>10.4g}{('yes' if exact else 'no'):>6}{tb:>8.2f}")
    print("range: max|bias|/min nonzero |bias| of the BINARY QUBO as built; ising: the same for h and J")


def slack_sweep() -> None:
    """Errors of the best SA read against the slack layout of ``slack-bounded`` (how the default was chosen)."""
    from dwave.samplers import SimulatedAnnealingSampler

    layouts = (("binary", None), ("binary", 15), ("unary", 4), ("unary", 6), ("unary", 8))
    head = "".join(f"{k[:3] + (' full' if c is None else ' ' + str(c)):>12}" for k, c in layouts)
    print(f"{'spec':<26}" + head)
    for spec_name in SPECS[:2]:
        problem = ab.build(ab.load_spec(spec_name))
        cells = []
        for kind, cap in layouts:
            bqm, rec = encodings.to_qubo(problem, encoding="slack-bounded", slack=kind, cap=cap)
            ss = SimulatedAnnealingSampler().sample(bqm, num_reads=16, num_sweeps=2000, seed=0)
            L = problem.losses(rec.decode(ss))
            cells.append(f"{int(L.min())}/{L.mean():.1f}")
        print(f"{spec_name:<26}" + "".join(f"{c:>12}" for c in cells), flush=True)
    print("cells: best/mean training errors over 16 SA reads x 2,000 sweeps (seed 0); cap in margin steps")


def gamma_sweep(quick: bool) -> None:
    """Errors of the best SA read against the rule's gamma (unbalanced) and kappa's gamma (margin)."""
    from dwave.samplers import SimulatedAnnealingSampler

    gammas = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
    print(f"{'spec':<26}{'encoding':<12}" + "".join(f"{'g=' + str(g):>10}" for g in gammas))
    for spec_name in SPECS:
        problem = ab.build(ab.load_spec(spec_name))
        sweeps = (1000 if quick else 2000) * (2 if problem.num_variables > 150 else 1)
        for enc in ("unbalanced", "margin"):
            cells = []
            for g in gammas:
                bqm, rec = encodings.to_qubo(problem, encoding=enc, gamma=g)
                ss = SimulatedAnnealingSampler().sample(bqm, num_reads=16, num_sweeps=sweeps, seed=0)
                L = problem.losses(rec.decode(ss))
                cells.append(f"{int(L.min())}/{L.mean():.1f}")
            print(f"{spec_name:<26}{enc:<12}" + "".join(f"{c:>10}" for c in cells), flush=True)
    print("cells: best/mean training errors over 16 SA reads (seed 0)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer reads and sweeps")
    ap.add_argument("--gamma", action="store_true", help="only the gamma sweep that chose the penalty rule")
    ap.add_argument("--sizes", action="store_true", help="only build the QUBOs and report their sizes and ranges")
    ap.add_argument("--slack", action="store_true", help="only the slack-layout sweep behind slack-bounded's default")
    ap.add_argument("--specs", nargs="+", default=list(SPECS))
    ap.add_argument("--qubos", nargs="+", default=list(QUBOS), choices=QUBOS)
    ap.add_argument("--solvers", nargs="+", default=["sa", "sqa", "tabu", "qpu-mock", "decomp-sa", "decomp-qpu"])
    args = ap.parse_args(argv)
    if args.gamma:
        gamma_sweep(args.quick)
        return 0
    if args.slack:
        slack_sweep()
        return 0
    if args.sizes:
        sizes(args.specs, args.qubos)
        return 0
    print(HEADER)
    grid(args.quick, args.specs, args.qubos, args.solvers)
    print("best/mean: training errors (zero-one loss) of the best decoded net / mean over reads; time: solver call; "
          "range: max|bias|/min nonzero |bias| of the BINARY QUBO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
