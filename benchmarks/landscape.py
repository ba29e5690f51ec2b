"""Exact-landscape throughput: anneal-binn's enumeration (first-layer doubling tables, and a
compiled Gray-code walk for single-unit 0-1/MSE nets) against a
straightforward vectorized numpy evaluation (bits → ±1 weights → batched matmul forward pass →
loss, chunked), in one process. Prints configurations·samples per second and the ratio.

Run:  OMP_NUM_THREADS=1 python benchmarks/landscape.py [--quick] [spec ...]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import anneal_binn as ab  # noqa: E402
from anneal_binn.landscape import compute  # noqa: E402
from anneal_binn.spec import catalogue  # noqa: E402

DEFAULT = ["fawaz-p1", "fawaz-meta-p1", "gaussian-activation", "gaussian-width", "digits4x4-logistic",
           "mnist4x4-logistic", "perceptron-N21-alpha0.5"]


def naive_landscape(problem, chunk=1 << 12):
    """The straightforward vectorized baseline: every configuration's full forward pass."""
    n = problem.num_variables
    out = np.empty(1 << n)
    X, y = problem.data.x_train, problem.data.y_train
    for c0 in range(0, 1 << n, chunk):
        idx = np.arange(c0, min(c0 + chunk, 1 << n))
        bits = ((idx[:, None] >> np.arange(n)) & 1).astype(np.uint8)
        out[idx] = problem.network.losses(bits, X, y)
    return out


def timed(fn, repeat):
    best, value = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("specs", nargs="*", default=None)
    ap.add_argument("--quick", action="store_true", help="one repetition, skip the largest specs")
    args = ap.parse_args(argv)
    names = args.specs or [s for s in DEFAULT if s in catalogue()]
    if args.quick and not args.specs:
        names = [s for s in names if not s.startswith(("mnist", "perceptron"))]
    repeat = 1 if args.quick else 3
    print(f"{'spec':<22}{'N':>4}{'P':>6}{'ours (cfg·smp/s)':>20}{'numpy (cfg·smp/s)':>20}{'ratio':>8}  same")
    for name in names:
        problem = ab.build(ab.load_spec(name))
        n, P = problem.num_variables, len(problem.data.y_train)
        work = (2**n) * P
        t_ours, ours = timed(lambda: compute(problem.network, problem.data.x_train, problem.data.y_train), repeat)
        t_base, base = timed(lambda: naive_landscape(problem), repeat)
        same = np.allclose(ours, base, rtol=1e-10, atol=1e-10)
        print(f"{name:<22}{n:>4}{P:>6}{work / t_ours:>20.3e}{work / t_base:>20.3e}{t_base / t_ours:>8.1f}x  {same}")


if __name__ == "__main__":
    main()
