"""HUBO -> QUBO reduction: anneal-binn's methods against dimod, PyQUBO and qubovert, in one process.

Printed per instance and method: ancillas, quadratic terms, max|bias|/min|bias|, reduction time,
physical qubits after minorminer embedding on Pegasus P6 (small QUBOs only), and the ratio of
ancillas to dimod's. Then the annealability gap: the best *true HUBO* energy that dwave-samplers SA
reaches on each QUBO (samples projected onto the original variables; no other post-processing),
against annealing the HUBO directly (anneal-binn ``hubo-sa``; OpenJij ``sample_hubo`` for
reference), in the same wall time. A second column, clearly labelled, adds a greedy single-flip
descent on the HUBO to the projected samples (post-processing; it does not count for the target).

Peers use strength = sum of |coefficients| (the smallest always-safe global choice for dimod's
make_quadratic); PyQUBO and qubovert get the same.

Timings are noisy: the benchmark machine's 2 cores are shared with other jobs.

Usage:
    OMP_NUM_THREADS=1 python benchmarks/reduction.py [--quick] [--no-embed] [--no-anneal] [--time S]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dimod  # noqa: E402
import numpy as np  # noqa: E402

OURS = ("auto", "cover", "substitution", "ishikawa", "freedman-drineas")


def random_hubo(n: int, num_terms: int, degrees, seed: int) -> dimod.BinaryPolynomial:
    """``num_terms`` distinct terms over 0..n-1, degree drawn uniformly from ``degrees``,
    coefficients uniform in [-1, 1]."""
    rng = np.random.default_rng(seed)
    terms: dict[tuple, float] = {}
    while len(terms) < num_terms:
        k = int(rng.choice(degrees))
        t = tuple(sorted(rng.choice(n, size=k, replace=False).tolist()))
        if t not in terms:
            terms[t] = float(rng.uniform(-1, 1))
    return dimod.BinaryPolynomial(terms, "BINARY")


def design_instance() -> dimod.BinaryPolynomial:
    """The design notes' 40-variable, degree-4, 2,000-term random HUBO (degrees 3 and 4)."""
    return random_hubo(40, 2000, [3, 4], 0)


def catalogue_hubos(quick: bool):
    import anneal_binn as ab

    picks = [("fawaz-p1", None), ("fawaz-meta-p1", 4)] + ([] if quick else [("gaussian-activation", 4)])
    out = []
    for name, deg in picks:
        pr = ab.build(ab.load_spec(name))
        h = pr.to_hubo(method="fourier", max_degree=deg)
        out.append((f"{name}{'' if deg is None else f'-deg{deg}'}", h))
    return out


# ---- reducers ----------------------------------------------------------------------------------------
def strength_of(poly) -> float:
    return float(sum(abs(c) for t, c in poly.items() if t))


def red_dimod(poly):
    return dimod.make_quadratic(poly, strength_of(poly), poly.vartype)


def red_pyqubo(poly):
    from pyqubo import Binary, Spin

    mk = Binary if poly.vartype is dimod.BINARY else Spin
    xs = {v: mk(f"x{v}") for v in poly.variables}
    H = 0
    for t, c in poly.items():
        term = c
        for v in t:
            term = term * xs[v]
        H = H + term
    model = H.compile(strength=strength_of(poly))
    return model.to_bqm()


def red_qubovert(poly):
    import qubovert as qv

    if poly.vartype is dimod.SPIN:
        pubo = qv.PUSO({tuple(t): c for t, c in poly.items()}).to_pubo()
    else:
        pubo = qv.PUBO({tuple(t): c for t, c in poly.items()})
    qubo = pubo.to_qubo(lam=strength_of(poly))
    lin, quad = {}, {}
    for k, c in qubo.items():
        if len(k) == 1:
            lin[k[0]] = lin.get(k[0], 0.0) + c
        elif len(k) == 2:
            quad[k] = c
    return dimod.BinaryQuadraticModel(lin, quad, qubo.offset, dimod.BINARY)


def bias_range(bqm) -> float:
    b = np.abs(np.concatenate([np.asarray(list(bqm.linear.values())), np.asarray(list(bqm.quadratic.values()))]))
    b = b[b > 1e-12]
    return float(b.max() / b.min()) if b.size else 1.0


def embed_qubits(bqm, timeout: float) -> str:
    import dwave_networkx as dnx
    import minorminer

    if len(bqm.variables) > 400:
        return "-"
    target = dnx.pegasus_graph(6)
    edges = list(bqm.quadratic)
    emb = minorminer.find_embedding(edges, target.edges, timeout=timeout, random_seed=0, tries=4)
    if not emb:
        return "fail"
    return str(sum(len(c) for c in emb.values()))


def reduction_table(instances, embed: bool, embed_timeout: float):
    from anneal_binn.reduction import reduce

    peers = [("dimod", red_dimod), ("pyqubo", red_pyqubo), ("qubovert", red_qubovert)]
    header = f"{'instance':26s} {'method':18s} {'ancillas':>8s} {'quad':>7s} {'max/min|b|':>11s} {'time s':>7s} {'P6 qubits':>9s} {'anc/dimod':>9s}"
    print(header)
    print("-" * len(header))
    summary = []
    for name, poly in instances:
        n = len(poly.variables)
        base = None
        rows = []
        for label, fn in peers:
            t0 = time.perf_counter()
            try:
                bqm = fn(poly)
            except Exception as exc:  # a peer failing is a result, not a crash
                rows.append((label, None, f"error: {type(exc).__name__}"))
                continue
            rows.append((label, bqm, time.perf_counter() - t0))
        for m in OURS:
            t0 = time.perf_counter()
            bqm, red = reduce(poly, m)
            dt = time.perf_counter() - t0
            rows.append((f"ours:{m}" + (f"->{red.method}" if m == "auto" else ""), bqm, dt))
        for label, bqm, dt in rows:
            if bqm is None:
                print(f"{name:26s} {label:18s} {dt}")
                continue
            anc = len(bqm.variables) - n
            if label == "dimod":
                base = anc
            emb = embed_qubits(bqm, embed_timeout) if embed else "-"
            ratio = f"{anc / base:.2f}" if base else "-"
            print(f"{name:26s} {label:18s} {anc:8d} {bqm.num_interactions:7d} {bias_range(bqm):11.3g} {dt:7.3f} {emb:>9s} {ratio:>9s}")
            if label.startswith("ours:auto"):
                summary.append((name, anc, base))
        print()
    print("auto ancillas / dimod ancillas (target <= 0.50):")
    for name, anc, base in summary:
        print(f"  {name:26s} {anc:5d} / {base:5d} = {anc / base:.2f}" if base else f"  {name:26s} {anc} / 0")
    print()


# ---- annealability -----------------------------------------------------------------------------------
def _greedy_hubo(poly, X: np.ndarray, variables) -> np.ndarray:
    """Post-processing (labelled as such): single-flip steepest descent on the HUBO."""
    X = X.copy()
    e = poly.energies((X, variables))
    n = X.shape[1]
    for _ in range(4 * n):
        best_e, best_k = e.copy(), np.full(len(X), -1)
        for k in range(n):
            X[:, k] ^= 1
            ek = poly.energies((X, variables))
            X[:, k] ^= 1
            better = ek < best_e - 1e-12
            best_e[better], best_k[better] = ek[better], k
        rows = np.nonzero(best_k >= 0)[0]
        if rows.size == 0:
            break
        X[rows, best_k[rows]] ^= 1
        e = best_e
    return e


def annealability(instances, seconds: float, reads: int):
    from dwave.samplers import SimulatedAnnealingSampler

    from anneal_binn.reduction import reduce

    try:
        from anneal_binn.solvers.hubo_sa import HuboSimulatedAnnealingSampler
    except ImportError:  # pragma: no cover - issue 4 not merged
        HuboSimulatedAnnealingSampler = None
    sa = SimulatedAnnealingSampler()
    print(f"Annealability: best true HUBO energy in ~{seconds:g} s of wall time per sampler, {reads} reads")
    header = f"{'instance':26s} {'sampler':30s} {'sweeps':>7s} {'wall s':>7s} {'best E':>11s} {'gap raw':>8s} {'gap +greedy(pp)':>15s}"
    print(header)
    print("-" * len(header))
    for name, poly in instances:
        variables = sorted(poly.variables)
        results = []
        ref_e = None
        # direct HUBO annealing: ours, then OpenJij for reference
        if HuboSimulatedAnnealingSampler is not None:
            hs = HuboSimulatedAnnealingSampler()
            t0 = time.perf_counter()
            hs.sample_poly(poly, num_reads=reads, num_sweeps=50, seed=0)
            per = (time.perf_counter() - t0) / 50
            sweeps = max(50, int(seconds / max(per, 1e-9)))
            t0 = time.perf_counter()
            ss = hs.sample_poly(poly, num_reads=reads, num_sweeps=sweeps, seed=1)
            dt = time.perf_counter() - t0
            X = ss.record.sample[:, [ss.variables.index(v) for v in variables]]
            e = poly.energies((X, variables))
            results.append(("direct hubo-sa (anneal-binn)", sweeps, dt, e.min(), _greedy_hubo(poly, X, variables).min()))
            ref_e = e.min()
        try:
            import openjij as oj

            ojs = oj.SASampler()
            hubo = {tuple(t): c for t, c in poly.items() if t}
            t0 = time.perf_counter()
            ojs.sample_hubo(hubo, vartype="BINARY", num_reads=reads, num_sweeps=50, seed=0)
            per = (time.perf_counter() - t0) / 50
            sweeps = max(50, int(seconds / max(per, 1e-9)))
            t0 = time.perf_counter()
            ss = ojs.sample_hubo(hubo, vartype="BINARY", num_reads=reads, num_sweeps=sweeps, seed=1)
            dt = time.perf_counter() - t0
            X = ss.record.sample[:, [ss.variables.index(v) for v in variables]]
            e = poly.energies((X, variables))
            results.append(("direct openjij sample_hubo", sweeps, dt, e.min(), _greedy_hubo(poly, X, variables).min()))
            ref_e = e.min() if ref_e is None else min(ref_e, e.min())
        except ImportError:
            pass
        qubos = [("dimod make_quadratic", red_dimod(poly), None)]
        for m in ("auto", "substitution", "ishikawa"):
            bqm, red = reduce(poly, m)
            qubos.append((f"ours {m}" + (f"->{red.method}" if m == "auto" else ""), bqm, red))
        for label, bqm, red in qubos:
            t0 = time.perf_counter()
            sa.sample(bqm, num_reads=reads, num_sweeps=50, seed=0)
            per = (time.perf_counter() - t0) / 50
            sweeps = max(50, int(seconds / max(per, 1e-9)))
            t0 = time.perf_counter()
            ss = sa.sample(bqm, num_reads=reads, num_sweeps=sweeps, seed=1)
            dt = time.perf_counter() - t0
            X = ss.record.sample[:, [ss.variables.index(v) for v in variables]]
            e = poly.energies((X, variables))  # projection: true HUBO energy of the original bits
            results.append((f"SA on QUBO: {label}", sweeps, dt, e.min(), _greedy_hubo(poly, X, variables).min()))
        for label, sweeps, dt, best, best_pp in results:
            gap = (best - ref_e) / abs(ref_e) if ref_e else float("nan")
            gap_pp = (best_pp - ref_e) / abs(ref_e) if ref_e else float("nan")
            print(f"{name:26s} {label:30s} {sweeps:7d} {dt:7.2f} {best:11.5g} {gap:8.2%} {gap_pp:15.2%}")
        print()
    print("gap = (best E - best direct-HUBO E) / |best direct-HUBO E|; target: raw gap within 1%.")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small instances, short anneals")
    p.add_argument("--no-embed", action="store_true", help="skip minorminer embedding")
    p.add_argument("--no-anneal", action="store_true", help="skip the annealability comparison")
    p.add_argument("--time", type=float, default=None, help="wall seconds per sampler in the annealability part")
    p.add_argument("--reads", type=int, default=None, help="reads per sampler in the annealability part")
    args = p.parse_args(argv)
    quick = args.quick
    instances = [("design rand40-d4-2000", design_instance())]
    specs = [(20, 60, [3]), (50, 200, [3, 4]), (100, 400, [3, 4, 5])] if quick else [
        (20, 60, [3]), (50, 200, [3, 4]), (100, 400, [3, 4, 5]), (200, 800, [3, 4, 5, 6]), (200, 2000, [3, 4, 5, 6])
    ]
    for n, m, degs in specs:
        instances.append((f"rand{n}-d{max(degs)}-{m}", random_hubo(n, m, degs, n)))
    spin = random_hubo(20, 60, [3, 4], 7).to_spin()
    instances.append(("rand20-d4-60 SPIN", spin))
    cat = catalogue_hubos(quick)
    instances += cat
    print(f"anneal-binn reduction benchmark ({'quick' if quick else 'full'}); 2 shared cores, timings noisy\n")
    reduction_table(instances, embed=not args.no_embed, embed_timeout=5.0 if quick else 20.0)
    if not args.no_anneal:
        seconds = args.time if args.time is not None else (1.0 if quick else 3.0)
        reads = args.reads if args.reads is not None else (16 if quick else 32)
        annealability([instances[0]] + cat, seconds, reads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
