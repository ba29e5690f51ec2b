"""Formulation benchmark: the numeric expansion engine against PyQUBO and sympy, and the scale targets.

Run in ONE process so the machines' load hits both sides alike (timings on a shared 2-core box
are noisy; read the ratios, not the seconds):

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=. python benchmarks/formulation.py
    ... python benchmarks/formulation.py --quick          # PyQUBO at N=P=12 instead of 20 (seconds, not minutes)
    ... python benchmarks/formulation.py --only cubic     # one section: cubic, sympy, mnist66, aux

Sections:
  cubic    the degree-6 cubic-activation loss  sum_mu (f(z_mu) - y_mu)**2,  z_mu = sum_i x_mu_i s_i / sqrt(N),
           N = 20 spins, P = 20 random ±1 patterns, f a full cubic (Chebyshev fit of tanh on [-2, 4]);
           PyQUBO compiles the same expression (design.md: 142 s). Its QUBO ancillas ("a * b") are
           substituted back to recover its HUBO, which is compared coefficient by coefficient.
  sympy    the quadratic (identity-activation) loss, N = 20, P = 50: sympy.expand + s**2 = 1 vs ours.
  mnist66  the 66-bit MNIST 0 vs 1 net with an activation-choice bit (catalogue mnist8x8-activation),
           symbolic route at activation degree 2 on the whole training split (800 images).
  aux      the auxiliary-neuron QUBO of the digits-hidden net (catalogue digits-hidden).
  scale    HUBOs as arrays end to end: a 1.09-million-term degree-4 HUBO from the engine through
           reduce(method="substitution") to a bqm-json file (target < 10 s), and dimod's route
           (BinaryPolynomial, make_quadratic, to_serializable) beside ours at 10^5 terms.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from anneal_binn.formulation.expansion import BatchPoly, sum_loss  # noqa: E402
from anneal_binn.formulation.polyfit import fit_function  # noqa: E402


def _cubic_data(n: int, p: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.choice([-1.0, 1.0], size=(p, n)) / np.sqrt(n)
    y = rng.choice([-1.0, 1.0], size=p)
    act = fit_function("tanh", 3, (-2.0, 4.0)).coeffs  # off-centre interval: all four coefficients nonzero
    return X, y, act


def ours_cubic(n: int, p: int):
    X, y, act = _cubic_data(n, p)
    t0 = time.perf_counter()
    z = BatchPoly.linear(X, np.zeros(p), range(n), n, "BINARY")
    poly = sum_loss(z.apply(act), np.stack([y**2, -2 * y, np.ones(p)], axis=1))
    t1 = time.perf_counter()
    hubo = poly.to_binary_polynomial([f"s{i}" for i in range(n)])
    t2 = time.perf_counter()
    return poly, hubo, t1 - t0, t2 - t0


def pyqubo_cubic(n: int, p: int):
    from pyqubo import Spin

    X, y, act = _cubic_data(n, p)
    s = [Spin(f"s{i}") for i in range(n)]
    t0 = time.perf_counter()
    H = 0
    for mu in range(p):
        z = sum(float(X[mu, i]) * s[i] for i in range(n))
        f = float(act[0]) + float(act[1]) * z + float(act[2]) * z * z + float(act[3]) * z * z * z
        H = H + (f - float(y[mu])) ** 2
    t1 = time.perf_counter()
    model = H.compile()
    t2 = time.perf_counter()
    qubo, offset = model.to_qubo()
    # substitute each ancilla "a * b" by the product of its variables: the penalties vanish and
    # what remains is PyQUBO's HUBO over the original bits x = (s + 1) / 2
    hubo: dict[frozenset, float] = {frozenset(): float(offset)}
    ancillas = set()
    for (u, v), c in qubo.items():
        parts = set(u.split(" * ")) | set(v.split(" * "))
        ancillas.update(w for w in (u, v) if " * " in w)
        key = frozenset(parts)
        hubo[key] = hubo.get(key, 0.0) + float(c)
    return hubo, t1 - t0, t2 - t1, len(model.variables), len(ancillas), sum(1 for (u, v) in qubo if u != v)


def section_cubic(quick: bool) -> None:
    n = p = 12 if quick else 20
    print(f"\n== cubic-activation loss, degree 6, N={n} spins, P={p} patterns ==")
    ours_cubic(4, 4)  # warm up imports and caches outside the timing
    poly, hubo, t_engine, t_ours = ours_cubic(n, p)
    ref, t_build, t_compile, nvars, nanc, nquad = pyqubo_cubic(n, p)
    ours = {frozenset(k): v for k, v in hubo.items()}
    scale = max(abs(v) for v in ref.values())
    keys = set(ours) | set(ref)
    diff = max(abs(ours.get(k, 0.0) - ref.get(k, 0.0)) for k in keys)
    nz_ref = sum(1 for v in ref.values() if abs(v) > 1e-9 * scale)
    nz_ours = sum(1 for v in ours.values() if abs(v) > 1e-9 * scale)
    print(f"ours : {nz_ours:>8,} terms, degree {poly.degree}; engine {t_engine:8.3f} s, "
          f"+ dimod.BinaryPolynomial {t_ours:8.3f} s")
    print(f"pyqubo: {nz_ref:>8,} HUBO terms after substituting {nanc:,} ancillas back "
          f"(its QUBO: {nvars:,} variables, {nquad:,} quadratic terms); expression {t_build:.2f} s, "
          f"compile {t_compile:8.2f} s")
    print(f"coefficients: max |ours - pyqubo| = {diff:.3e} (largest coefficient {scale:.3e}, "
          f"relative {diff / scale:.1e})")
    print(f"ratio pyqubo compile / ours (engine + BinaryPolynomial): {t_compile / t_ours:8.1f}x  "
          f"(engine only: {t_compile / t_engine:.1f}x)")


def section_sympy() -> None:
    import sympy

    from anneal_binn.formulation.symbolic import sympy_reduce

    n, p = 20, 50
    print(f"\n== quadratic loss (identity activation), N={n}, P={p}: sympy.expand vs ours ==")
    rng = np.random.default_rng(1)
    X = rng.choice([-1, 1], size=(p, n))
    y = rng.choice([-1, 1], size=p)
    s = sympy.symbols(f"s0:{n}")
    t0 = time.perf_counter()
    expr = sum((sum(int(X[mu, i]) * s[i] for i in range(n)) - int(y[mu])) ** 2 for mu in range(p))
    ref = sympy_reduce(expr, s, "SPIN")
    t1 = time.perf_counter()
    poly = sum_loss(BatchPoly.linear(X.astype(float), np.zeros(p), range(n), n, "SPIN"),
                    np.stack([y**2.0, -2.0 * y, np.ones(p)], axis=1))
    t2 = time.perf_counter()
    ours = poly.to_dict()
    diff = max(abs(ours.get(k, 0.0) - float(v)) for k, v in ref.items())
    print(f"sympy {t1 - t0:8.3f} s ({len(ref)} terms) | ours {t2 - t1:8.4f} s ({poly.num_terms} terms) | "
          f"max diff {diff:.1e} | ratio {(t1 - t0) / (t2 - t1):8.1f}x")


def section_mnist66() -> None:
    import anneal_binn as ab
    from anneal_binn.formulation import symbolic

    print("\n== mnist8x8-activation: 66 bits, one layer + activation-choice bit, whole training split ==")
    problem = ab.build(ab.load_spec("mnist8x8-activation"))
    P = len(problem.data.y_train)
    t0 = time.perf_counter()
    ex = symbolic.expand(problem, vartype="SPIN", degree=2)
    t1 = time.perf_counter()
    hubo = ex.hubo()
    t2 = time.perf_counter()
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, size=(20, problem.num_variables), dtype=np.uint8)
    e = np.array([hubo.energy({v: 2 * int(b) - 1 for v, b in enumerate(row)}) for row in bits])
    print(f"N={problem.num_variables}, P={P}: {ex.num_terms:,} terms (bound {ex.predicted_terms:,}), degree {ex.degree}; "
          f"expand {t1 - t0:.2f} s, + BinaryPolynomial {t2 - t0:.2f} s")
    print(ex.describe())
    print(f"energy check on 20 random nets: HUBO vs engine evaluate max diff "
          f"{np.abs(e - ex.poly.evaluate(bits)).max():.1e}; true (non-polynomial) loss of those nets "
          f"{problem.losses(bits).min():.3f}..{problem.losses(bits).max():.3f} vs surrogate {e.min():.3f}..{e.max():.3f}")


def section_aux() -> None:
    import anneal_binn as ab
    from anneal_binn.formulation import auxiliary

    print("\n== digits-hidden: auxiliary-neuron QUBO of a one-hidden-layer sign net ==")
    problem = ab.build(ab.load_spec("digits-hidden"))
    t0 = time.perf_counter()
    bqm, record = auxiliary.to_qubo(problem)
    t1 = time.perf_counter()
    print(f"N={problem.num_variables} weights/biases, P={len(problem.data.y_train)}: QUBO with {bqm.num_variables:,} "
          f"variables, {bqm.num_interactions:,} interactions, built in {t1 - t0:.2f} s "
          f"(target: >= 1,000 variables in < 60 s)")
    print(record.describe())
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, size=(50, problem.num_variables), dtype=np.uint8)
    full = record.complete(bits)
    energies = bqm.energies((full, list(range(bqm.num_variables))))
    print(f"energy of the completed assignment == true zero-one loss on 50 random nets: "
          f"{np.allclose(energies, problem.losses(bits) * record.objective_scale)}")


def _quadratic_loss(n: int, p: int, seed: int = 0):
    """sum_mu (f(z_mu) - y_mu)**2 with a quadratic activation f: a dense degree-4 HUBO in the spins."""
    rng = np.random.default_rng(seed)
    X = rng.choice([-1.0, 1.0], size=(p, n)) / np.sqrt(n)
    y = rng.choice([-1.0, 1.0], size=p)
    z = BatchPoly.linear(X, np.zeros(p), range(n), n, "SPIN")
    return sum_loss(z.apply(np.array([0.1, 1.0, 0.3])), np.stack([y**2, -2 * y, np.ones(p)], axis=1))


def _ours_pipeline(n: int, p: int, path: str) -> dict:
    import anneal_binn as ab
    from anneal_binn import export

    t = {"start": _clock()}
    poly = _quadratic_loss(n, p)
    t["formulate"] = _clock()
    hubo = poly.to_hubo()  # arrays: no Python object per term
    t["to arrays"] = _clock()
    bqm, red = ab.reduce(hubo, "substitution")  # returns the dimod BQM: the public seam
    t["reduce + BQM"] = _clock()
    export.write(bqm, path, "bqm-json")
    t["bqm-json"] = _clock()
    return dict(t=t, terms=hubo.num_terms, degree=hubo.max_degree, ancillas=red.num_ancillas,
                couplers=bqm.num_interactions)


def _dimod_pipeline(n: int, p: int, path: str) -> dict:
    import dimod

    t = {"start": _clock()}
    poly = _quadratic_loss(n, p)
    t["formulate"] = _clock()
    hubo = poly.to_binary_polynomial()  # dict of frozensets
    t["to dimod"] = _clock()
    bqm = dimod.make_quadratic(hubo, float(np.abs(poly.coef).sum()), dimod.SPIN)
    t["reduce + BQM"] = _clock()
    with open(path, "w") as fh:
        json.dump(bqm.to_serializable(), fh)
    t["bqm-json"] = _clock()
    return dict(t=t, terms=poly.num_terms, ancillas=len(bqm.variables) - n, couplers=bqm.num_interactions)


def _clock() -> np.ndarray:
    """(wall, CPU) seconds: on a shared machine the process's CPU time is the load-independent one."""
    return np.array([time.perf_counter(), time.process_time()])


def _stages(r: dict) -> str:
    keys = list(r["t"])
    return ", ".join(f"{b} {r['t'][b][0] - r['t'][a][0]:.2f}/{r['t'][b][1] - r['t'][a][1]:.2f}"
                     for a, b in zip(keys, keys[1:]))


def _total(r: dict) -> np.ndarray:
    return r["t"]["bqm-json"] - r["t"]["start"]


def section_scale(quick: bool) -> None:
    """HUBOs as arrays end to end: formulate -> reduce(substitution) -> BQM -> bqm-json file.

    The HUBO is the squared loss of a quadratic activation on N random +-1 patterns (SPIN, degree
    4, every monomial of degree <= 4 present): N = 72 gives 1.09 million terms. dimod's route (the
    same engine output as a dimod.BinaryPolynomial, make_quadratic, to_serializable + json) runs
    beside it at N = 40 (101,271 terms), where it finishes in minutes; the ratio is taken there.
    """
    import tempfile

    out = tempfile.mkdtemp()
    small, big = (24, 40) if quick else (40, 72)
    print(f"\n== HUBOs as arrays: formulate -> reduce(substitution) -> BQM -> bqm-json, degree 4, SPIN ==")
    _ours_pipeline(8, 10, os.path.join(out, "warm.bqm.json"))  # imports and caches outside the timing
    ours_s = _ours_pipeline(small, 100, os.path.join(out, "ours-small.bqm.json"))
    peer_s = _dimod_pipeline(small, 100, os.path.join(out, "dimod-small.bqm.json"))
    print("times: wall/CPU seconds of this process (CPU time is what the load of other jobs does not inflate)")
    for name, r in (("ours ", ours_s), ("dimod", peer_s)):
        w, c = _total(r)
        print(f"N={small} {name}: {r['terms']:,} terms -> {r['ancillas']:,} ancillas, {r['couplers']:,} couplers; "
              f"total {w:.2f}/{c:.2f} s ({_stages(r)})")
    t_o, t_d = _total(ours_s), _total(peer_s)
    red_o = ours_s["t"]["reduce + BQM"] - ours_s["t"]["to arrays"]
    red_d = peer_s["t"]["reduce + BQM"] - peer_s["t"]["to dimod"]
    print(f"ratio dimod / ours at N={small} (CPU): whole route {t_d[1] / t_o[1]:.1f}x, reduce + BQM {red_d[1] / red_o[1]:.1f}x")
    r = _ours_pipeline(big, 100, os.path.join(out, "ours-big.bqm.json"))
    w, c = _total(r)
    size = os.path.getsize(os.path.join(out, "ours-big.bqm.json")) / 2**20
    print(f"N={big} ours : {r['terms']:,} terms -> {r['ancillas']:,} ancillas, {r['couplers']:,} couplers, "
          f"{size:.0f} MiB file; total {w:.2f}/{c:.2f} s (target < 10 s) ({_stages(r)})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="PyQUBO at N=P=12 (seconds) instead of N=P=20 (minutes)")
    ap.add_argument("--only", choices=["cubic", "sympy", "mnist66", "aux", "scale"], action="append")
    args = ap.parse_args(argv)
    todo = args.only or ["cubic", "sympy", "mnist66", "aux", "scale"]
    print("timings share a 2-core machine with other jobs: noisy; BLAS pinned to 1 thread")
    if "cubic" in todo:
        section_cubic(args.quick)
    if "sympy" in todo:
        section_sympy()
    if "mnist66" in todo:
        section_mnist66()
    if "aux" in todo:
        section_aux()
    if "scale" in todo:
        section_scale(args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
