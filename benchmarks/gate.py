"""Gate-model benchmark: energy + full gradient of the hypernetwork circuit, and 200 trainings at N=17.

Part 1 times ``E(theta)`` and ``dE/dtheta`` of the 2-layer circuit of seed 002 Eq. 5 (4 blocks,
``8N`` angles) at N = 14, 17, 20 for
    * ours: numba adjoint (``anneal_binn.gate.statevector``), one thread;
    * PennyLane ``lightning.qubit`` with ``diff_method="adjoint"`` and the cost as a diagonal
      ``SparseHamiltonian`` (C bit-reversed onto PennyLane's big-endian wires), one thread;
    * Qiskit Aer statevector with the parameter-shift rule (Aer has no adjoint method): the
      ``2P + 1`` bound circuits in one ``run`` with ``save_probabilities``, one thread.
All three are checked to agree (energy and gradient) before timing.

Part 1 also times the lane-batched kernels (``kernel="lanes"``: 32 initializations side by side
in every amplitude row, float64 and float32), per initialization.

Part 2 trains 200 random initializations on the 17-variable MNIST 4x4 landscape end to end
(batched L-BFGS, maxiter 300) per depth, in CPU seconds (all threads; the machine may be shared,
so wall time is printed but CPU time is the comparable figure; 200-initialization CPU time is
extrapolated where fewer ran). The product state and one layer use the exact O(2**N)
site contractions; two and more layers use the lane kernels in ``single`` precision (float32),
``mixed`` (float32, then float64 from its end point) and double, each compared with double row by
row; the first ``--old-inits`` of the same
initializations also run through the old one-state kernels, timed and extrapolated to 200, and
the last column is the largest difference of the final energies from theirs.

The lane kernels are made for wide batches (up to 128 initializations per row): with few
initializations (``--inits 32`` gives two groups of 16 lanes) they run 2-3x slower per
initialization than at 200. Batched L-BFGS keeps the batch wide: every call carries every running
initialization's next trial point (:func:`anneal_binn.gate.optimize.lbfgs_batched`).

Measured (quiet machine, ``--skip-part1 --depths 0 1 2 --precisions single mixed double --old-inits 8``):
200 two-layer initializations at N = 17 take 233 s wall in ``single`` precision against 478 s in
double (was about 38 min before the lane kernels); 196 of the 200 end within 1e-5 of double's
energy, and the success test (5e-5) disagrees on one (0.545 vs 0.540).

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


def ours(ansatz, C, theta, kernel="rows", precision="double"):
    m = StatevectorModel(ansatz, C, kernel=kernel, precision=precision)
    m.energy_and_gradient(theta)  # compile / warm up
    return m, (lambda: m.energy_and_gradient(theta))


BATCH = 32  # initializations per call for the lane kernels (they are made for batches)


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
    print("Part 1: energy + gradient, 2 layers (4 blocks), one thread; seconds per initialization (best of %d)" % repeat)
    print(f"  rows: one state at a time (first layer by contraction); lanes: {BATCH} initializations per call,"
          " float64 / float32 (time per initialization)")
    print(f"{'N':>3} {'params':>6} {'rows':>8} {'lanes64':>8} {'lanes32':>8} {'lightning':>10} {'aer(p-shift)':>13}"
          f" {'light/l64':>10} {'light/l32':>10} {'aer/l64':>8}")
    rows = []
    for n in sizes:
        a = Ansatz(n, 2)
        C = np.random.default_rng(n).normal(size=2**n)
        theta = a.random_parameters(seed=0)
        batch = a.random_parameters(BATCH, seed=1)
        batch[0] = theta
        m, f_ours = ours(a, C, theta)
        E, G = m.energy_and_gradient(theta)
        t_ours = best_of(f_ours, repeat)
        m64, f64 = ours(a, C, batch, kernel="lanes")
        E64, G64 = m64.energy_and_gradient(batch)
        assert abs(E64[0] - E[0]) < 1e-10 and np.allclose(G64[0], G[0], atol=1e-10), "lanes disagree"
        t64 = best_of(f64, repeat) / BATCH
        m32, f32 = ours(a, C, batch, kernel="lanes", precision="single")
        E32, _ = m32.energy_and_gradient(batch)
        assert abs(E32[0] - E[0]) < 1e-5 * np.abs(C).max(), "float32 lanes disagree"
        t32 = best_of(f32, repeat) / BATCH
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
        print(f"{n:>3} {a.num_parameters:>6} {t_ours:>8.4f} {t64:>8.4f} {t32:>8.4f} {t_pl:>10.4f} {t_aer:>13.3f}"
              f" {t_pl / t64:>10.1f} {t_pl / t32:>10.1f} {t_aer / t64:>8.0f}", flush=True)
        rows.append((n, t_ours, t64, t32, t_pl, t_aer))
    return rows


def part2(depths, inits, n_full, old_inits, precisions):
    """200 initializations per depth through the package's default path; the old one-state kernels on a few.

    For two or more layers every precision starts from the same angles; when ``double`` is among
    them it runs first and each other precision is compared with it row by row: how many
    initializations end more than 1e-5 away from double's energy, and on how many the success
    test (within 5e-5 of the global minimum) disagrees.
    """
    import anneal_binn as ab
    from anneal_binn.gate.hypernetwork import train
    from anneal_binn.gate.optimize import lbfgs_batched

    problem = ab.build(ab.load_spec("mnist4x4-logistic"))
    L = problem.landscape()
    import numba

    print(f"\nPart 2: {problem.name}, N = {problem.num_variables}, batched L-BFGS (maxiter 300), "
          f"numba threads = {numba.get_num_threads()}; seconds are wall time")
    print(f"{'layers':>6} {'path':>14} {'inits':>6} {'wall s':>8} {'cpu s/init':>10} {'nfev/init':>9} "
          f"{'P(E-Cmin<5e-5)':>15} {'200 cpu s (est.)':>17} {'max|E-E_old|':>13} {'vs double: >1e-5':>17} "
          f"{'success differs':>15}")
    for d in depths:
        k = n_full if d <= 1 else inits
        theta0 = Ansatz(problem.num_variables, d).random_parameters(k, seed=0)
        ref = None
        if d >= 2 and old_inits:
            # the one-state kernels (first layer by contraction), double precision: the old path
            m = StatevectorModel(Ansatz(problem.num_variables, d), L, kernel="rows")
            t, c = time.perf_counter(), time.process_time()
            res = lbfgs_batched(m.energy_and_gradient, theta0[:old_inits], maxiter=300)
            dt, dc = time.perf_counter() - t, time.process_time() - c
            ref = m.energy(res.x)
            succ = float(np.mean(ref - L.min() < 5e-5))
            print(f"{d:>6} {'rows/double':>14} {old_inits:>6} {dt:>8.1f} {dc / old_inits:>10.2f} {res.nfev.mean():>9.1f} "
                  f"{succ:>15.3f} {dc / old_inits * 200:>17.1f}", flush=True)
        order = ("double",) if d < 2 else sorted(precisions, key=lambda p: p != "double")
        double = None
        for precision in order:
            t, c = time.perf_counter(), time.process_time()
            res = train(L, layers=d, theta0=theta0, maxiter=300, precision=precision)
            dt, dc = time.perf_counter() - t, time.process_time() - c
            ok = res.energies - L.min() < 5e-5
            diff = f"{np.abs(res.energies[:len(ref)] - ref).max():>13.1e}" if ref is not None else f"{'':>13}"
            if d >= 2 and precision == "double":
                double = res.energies
            same = ""
            if double is not None and precision != "double":
                away = int(np.sum(np.abs(res.energies - double) > 1e-5))
                flips = int(np.sum(ok != (double - L.min() < 5e-5)))
                same = f" {away:>17d} {flips:>15d}"
            print(f"{d:>6} {'lanes/' + precision:>14} {k:>6} {dt:>8.1f} {dc / k:>10.2f} {res.nfev.mean():>9.1f} "
                  f"{ok.mean():>15.3f} {dc / k * 200:>17.1f} {diff}{same}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 14 only in part 1; 4 inits per deep circuit in part 2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--inits", type=int, default=None, help="initializations per depth >= 2 in part 2 (default 200)")
    ap.add_argument("--old-inits", type=int, default=None,
                    help="of those, how many also run through the old one-state kernels (default 8)")
    ap.add_argument("--precisions", nargs="+", default=["single", "mixed", "double"], help="for depths >= 2")
    ap.add_argument("--depths", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--skip-part1", action="store_true")
    ap.add_argument("--sizes", type=int, nargs="+", default=None, help="N in part 1 (default 14 17 20)")
    ap.add_argument("--aer-max", type=int, default=None, help="largest N timed with Aer (default 17)")
    ap.add_argument("--skip-part2", action="store_true")
    args = ap.parse_args(argv)
    sizes = args.sizes or ([14] if args.quick else [14, 17, 20])
    if not args.skip_part1:
        part1(sizes, args.repeat, skip_aer_above=args.aer_max if args.aer_max is not None else (14 if args.quick else 17))
    if not args.skip_part2:
        part2(args.depths, args.inits or (4 if args.quick else 200), 200,
              args.old_inits if args.old_inits is not None else (2 if args.quick else 8), args.precisions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
