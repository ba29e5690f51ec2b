"""Gate-model benchmark: energy + full gradient of the hypernetwork circuit, and 200 trainings at N=17.

Part 1 times ``E(theta)`` and ``dE/dtheta`` of the 2-layer circuit of seed 002 Eq. 5 (4 blocks,
``8N`` angles) at N = 14, 17, 20 for
    * ours: numba adjoint (``anneal_binn.gate.statevector``), one thread;
    * PennyLane ``lightning.qubit`` with ``diff_method="adjoint"`` and the cost as a diagonal
      ``SparseHamiltonian`` (C bit-reversed onto PennyLane's big-endian wires), one thread;
    * Qiskit Aer statevector with the parameter-shift rule (Aer has no adjoint method): the
      ``2P + 1`` bound circuits in one ``run`` with ``save_probabilities``, one thread.
All three are checked to agree (energy and gradient) before timing.

Part 2 trains 200 random initializations on the 17-variable MNIST 4x4 landscape end to end
(batched L-BFGS) per depth. The product state and one layer use the exact O(2**N) site
contractions (a product of 1- or 2-qubit states before the folded last CX layer); two and more
layers use the numba adjoint kernels, far slower, so ``--inits`` (default 20) of them are run and
the per-initialization cost is reported with its 200-initialization extrapolation.

Run: ``OMP_NUM_THREADS=1 python benchmarks/gate.py [--quick]``. The machine may be shared:
timings are best-of-``repeat`` and the ratios (same process, same moment) are what to read.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from anneal_binn.gate.circuits import Ansatz  # noqa: E402
from anneal_binn.gate.statevector import StatevectorModel  # noqa: E402


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def ours(ansatz, C, theta):
    m = StatevectorModel(ansatz, C)
    m.energy_and_gradient(theta)  # compile / warm up
    return m, (lambda: m.energy_and_gradient(theta))


def pennylane(ansatz, C, theta):
    import pennylane as qml
    import scipy.sparse as sp
    from pennylane import numpy as pnp

    n = ansatz.num_qubits
    # PennyLane's wire 0 is the most significant bit of a basis index: bit-reverse C
    idx = np.arange(2**n)
    rev = np.zeros_like(idx)
    for j in range(n):
        rev |= ((idx >> j) & 1) << (n - 1 - j)
    H = qml.SparseHamiltonian(sp.diags(C[rev]).tocsr(), wires=list(range(n)))
    dev = qml.device("lightning.qubit", wires=n)

    @qml.qnode(dev, diff_method="adjoint")
    def circuit(t):
        for k in range(ansatz.num_blocks):
            for j in range(n):
                qml.RY(t[ansatz.index("y", j, k)], wires=j)
                qml.RZ(t[ansatz.index("z", j, k)], wires=j)
            for c, tt in ansatz.cx_pairs(k):
                qml.CNOT(wires=[c, tt])
        return qml.expval(H)

    t = pnp.array(theta, requires_grad=True)
    grad = qml.grad(circuit)

    def run():
        return float(circuit(t)), np.asarray(grad(t))

    return run


def aer(ansatz, C, theta):
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="statevector", max_parallel_threads=1, max_parallel_experiments=1,
                       max_parallel_shots=1)
    qc = ansatz.to_qiskit(None)
    qc.save_probabilities()
    tqc = transpile(qc, sim, optimization_level=0)
    params = list(qc.parameters)
    npar = len(params)
    shifted = np.concatenate([theta[None], theta[None] + np.pi / 2 * np.eye(npar), theta[None] - np.pi / 2 * np.eye(npar)])
    binds = [{p: shifted[:, i].tolist() for i, p in enumerate(params)}]

    def run():
        res = sim.run(tqc, parameter_binds=binds, shots=1).result()
        e = np.array([res.data(i)["probabilities"] @ C for i in range(len(shifted))])
        return e[0], 0.5 * (e[1:npar + 1] - e[npar + 1:])

    return run


def part1(sizes, repeat, skip_aer_above):
    print("Part 1: energy + gradient, 2 layers (4 blocks), one thread; seconds (best of %d)" % repeat)
    print(f"{'N':>3} {'params':>6} {'ours':>9} {'lightning':>10} {'aer(p-shift)':>13} {'ours/light':>11} {'ours/aer':>9}")
    rows = []
    for n in sizes:
        a = Ansatz(n, 2)
        C = np.random.default_rng(n).normal(size=2**n)
        theta = a.random_parameters(seed=0)
        m, f_ours = ours(a, C, theta)
        E, G = m.energy_and_gradient(theta)
        t_ours = best_of(f_ours, repeat)
        f_pl = pennylane(a, C, theta)
        e_pl, g_pl = f_pl()
        assert np.isclose(e_pl, E[0]) and np.allclose(g_pl, G[0], atol=1e-8), "PennyLane disagrees"
        t_pl = best_of(f_pl, repeat)
        t_aer = float("nan")
        if n <= skip_aer_above:
            f_aer = aer(a, C, theta)
            e_aer, g_aer = f_aer()
            assert np.isclose(e_aer, E[0]) and np.allclose(g_aer, G[0], atol=1e-8), "Aer disagrees"
            t_aer = best_of(f_aer, 1)
        print(f"{n:>3} {a.num_parameters:>6} {t_ours:>9.4f} {t_pl:>10.4f} {t_aer:>13.3f} {t_ours / t_pl:>11.3f} "
              f"{t_ours / t_aer:>9.4f}", flush=True)
        rows.append((n, t_ours, t_pl, t_aer))
    return rows


def part2(depths, inits, n_full):
    import anneal_binn as ab
    from anneal_binn.gate.hypernetwork import train

    problem = ab.build(ab.load_spec("mnist4x4-logistic"))
    L = problem.landscape()
    import numba

    print(f"\nPart 2: {problem.name}, N = {problem.num_variables}, batched L-BFGS (maxiter 200), "
          f"numba threads = {numba.get_num_threads()}")
    print(f"{'layers':>6} {'inits':>6} {'seconds':>8} {'s/init':>7} {'nfev/init':>9} {'P(E-Cmin<5e-5)':>15} {'200 inits (est.)':>17}")
    for d in depths:
        k = n_full if d <= 1 else inits
        t = time.perf_counter()
        res = train(L, layers=d, restarts=k, seed=0)
        dt = time.perf_counter() - t
        succ = float(np.mean(res.energies - L.min() < 5e-5))
        print(f"{d:>6} {k:>6} {dt:>8.1f} {dt / k:>7.3f} {res.nfev.mean():>9.1f} {succ:>15.3f} {dt / k * 200:>17.1f}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 14 only in part 1; 4 inits per deep circuit in part 2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--inits", type=int, default=None, help="initializations per entangled depth in part 2")
    ap.add_argument("--depths", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--skip-part2", action="store_true")
    args = ap.parse_args(argv)
    sizes = [14] if args.quick else [14, 17, 20]
    part1(sizes, args.repeat, skip_aer_above=14 if args.quick else 17)
    if not args.skip_part2:
        part2(args.depths, args.inits or (4 if args.quick else 20), 200)
    return 0


if __name__ == "__main__":
    sys.exit(main())
