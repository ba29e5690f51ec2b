"""Time one anneal's propagation at N = 12..16: the package's Lanczos vs scipy's expm_multiply.

Usage: ``python benchmarks/expm.py 12 14 16``. Each N runs 50 steps of ``exp(-i dt H(s))`` with
``H(s) = s/2 D - (1-s)/2 sum X_i`` for a random diagonal ``D``, with ``expm_krylov`` (matrix-free
Lanczos), ``expm_step`` (``expm_multiply`` on the CSR matrix, what ``statevector-qa`` uses) and
``expm_multiply`` on a matrix-free ``LinearOperator``, and prints the time and the distance of
the final state from the Lanczos one.
"""
from __future__ import annotations

import sys
import time

import numpy as np
from scipy.sparse.linalg import LinearOperator, expm_multiply

from anneal_binn.solvers.statevector_qa import apply_x_sum, expm_krylov, expm_step, x_sum_matrix


def main(sizes: list[int], steps: int = 50, total_time: float = 20.0) -> None:
    for n in sizes:
        rng = np.random.default_rng(n)
        diag = rng.normal(size=1 << n)
        diag = 3 * (diag - diag.mean()) / np.abs(diag - diag.mean()).max()
        dt = total_time / steps
        psi0 = np.full(1 << n, 2 ** (-n / 2), dtype=np.complex128)
        schedule = [((k + 0.5) / steps) for k in range(steps)]
        results = {}

        t = time.perf_counter()
        psi = psi0.copy()
        for s in schedule:
            A, B = 1 - s, s
            psi = expm_krylov(lambda v, A=A, B=B: (B / 2) * diag * v - (A / 2) * apply_x_sum(v, n), psi, dt)
        results["expm_krylov (hand-written Lanczos)"] = (time.perf_counter() - t, psi)

        t = time.perf_counter()
        psi = psi0.copy()
        x_sum = x_sum_matrix(n)
        for s in schedule:
            psi = expm_step(x_sum, diag, 1 - s, s, dt, psi)
        results["expm_multiply, CSR (statevector-qa)"] = (time.perf_counter() - t, psi)

        t = time.perf_counter()
        psi = psi0.copy()
        for s in schedule:
            A, B = 1 - s, s

            def h(v, A=A, B=B):
                v = v.ravel()
                return (B / 2) * diag * v - (A / 2) * apply_x_sum(v, n)

            op = LinearOperator((1 << n, 1 << n), matvec=lambda v: (-1j * dt) * h(v),
                                rmatvec=lambda v: (1j * dt) * h(v), dtype=np.complex128)
            psi = expm_multiply(op, psi, traceA=complex(-1j * dt * (B / 2) * diag.sum()))
        results["expm_multiply, LinearOperator"] = (time.perf_counter() - t, psi)

        ref = results["expm_krylov (hand-written Lanczos)"][1]
        for name, (secs, p) in results.items():
            print(f"N={n:2d} {name:38s} {secs:7.2f} s   |psi - lanczos| = {np.linalg.norm(p - ref):.1e}",
                  flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [12, 14, 16])
