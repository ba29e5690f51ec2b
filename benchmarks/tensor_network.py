"""Tensor-network annealing at the published scale (Lami et al., SciPost Phys. 14, 117 (2023)).

One run, four parts:

1. **The published case.** The binary perceptron, N = 21, 17 random ±1 patterns (labels +1),
   the digitized protocol ``prod_p exp(-i beta_p H_x) exp(-i gamma_p H_z)|+>`` with P = 100 and
   P = 1000 steps, MPS at chi = 10: residual energy density ``eps = (<H> - E_gs)/N`` (exact
   ``<H>`` of the final MPS; ``E_gs`` by enumeration) vs dt, averaged over instances, beside the
   published MPS and exact (ED) curves and the reference reproduction's own MPS run
   (:mod:`anneal_binn.tensor_network.reference`). The exact digitized curve (``statevector-qa``,
   the same gate layers on the 2^21 state vector) is computed too (P = 100 by default; add
   ``--exact-p1000``). Wall time per step.
2. **Speed.** Seconds per step at N = 21 and at the reference's own benchmark case (N = 12,
   9 patterns, chi = 10) beside the reference's table; one pattern's MPO applied by our kernel
   and by quimb's ``MPO.apply(compress=True)``.
3. **Reach.** N = 51 and N = 101 perceptrons (alpha = 0.5) at chi = 32 (``--reach-chi``).
4. **General HUBOs.** The catalogue's ``gaussian-activation`` HUBO (N = 14, thousands of
   Fourier terms): one MPO per cost layer (TT-SVD of the phases, ``cost_mpo="dense"``) vs the
   old route of one gate per term (``cost_mpo="terms"``), same schedule and chi, both against the
   exact state vector.

Usage::

    python benchmarks/tensor_network.py --quick                 # minutes: one instance, 3 dt, P = 100
    python benchmarks/tensor_network.py                         # the published range, 5 instances
    python benchmarks/tensor_network.py --dts 0.2,0.6,1.0,1.4,1.7,2.0 --instances 5 --instances-p1000 1
    python benchmarks/tensor_network.py --patterns ref/patterns_17-21.1.npy ref/patterns_17-21.2.npy

``--patterns`` reads instances from .npy files (e.g. the reference repository's
``data/patterns_17-21.*.npy``) instead of drawing them. ``--json FILE`` writes every number.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from anneal_binn.tensor_network import StabilityCost
from anneal_binn.tensor_network import reference as ref

PUBLISHED_DTS = [round(0.1 * k, 1) for k in range(1, 23)]  # Fig. 7(a): dt = 0.1 ... 2.2


def instances(n: int, m: int, count: int, seed: int, files: list[str] | None) -> list[np.ndarray]:
    if files:
        return [np.load(f).astype(np.int64) for f in files]
    return [np.random.default_rng(seed + k).choice([-1, 1], size=(m, n)) for k in range(count)]


def ground_energy(xi: np.ndarray) -> float:
    return float(StabilityCost.perceptron(xi).dense_energies().min())


def run_mps(xi: np.ndarray, P: int, dt: float, chi: int, e_gs: float) -> dict:
    from anneal_binn.solvers.mps_qa import MPSAnnealer

    n = xi.shape[1]
    t = time.perf_counter()
    ss = MPSAnnealer().sample_cost(StabilityCost.perceptron(xi), schedule="digitized", num_steps=P, time_step=dt,
                                   max_bond=chi, num_reads=1, seed=0)
    wall = time.perf_counter() - t
    return {"eps": (ss.info["expected_energy"] - e_gs) / n, "truncation_error": ss.info["truncation_error"],
            "seconds_per_step": ss.info["evolution_seconds"] / P, "cpu_seconds_per_step": ss.info["evolution_cpu_seconds"] / P,
            "wall": wall}


def run_exact(xi: np.ndarray, P: int, dt: float, e_gs: float) -> dict:
    from anneal_binn.solvers.statevector_qa import StatevectorAnnealer

    n = xi.shape[1]
    t = time.perf_counter()
    ss = StatevectorAnnealer().sample_cost(StabilityCost.perceptron(xi), schedule="digitized", num_steps=P,
                                           time_step=dt, num_reads=1, seed=0)
    return {"eps": (ss.info["expected_energy"] - e_gs) / n, "seconds_per_step": (time.perf_counter() - t) / P}


def _task(args):
    kind, k, xi, P, dt, chi, e_gs = args
    out = run_mps(xi, P, dt, chi, e_gs) if kind == "mps" else run_exact(xi, P, dt, e_gs)
    return kind, k, P, dt, out


def published_case(opts, report: dict) -> None:
    xs = instances(21, 17, opts.instances, opts.seed, opts.patterns)
    print(f"\n== 1. published case: N = 21, 17 patterns, chi = {opts.chi}, {len(xs)} instance(s) "
          f"(the paper averages {ref.PAPER_INSTANCES}; the reference repository ran {ref.REPO_INSTANCES})", flush=True)
    t = time.perf_counter()
    egs = [ground_energy(x) for x in xs]
    print(f"ground energies by enumeration of 2^21 ({time.perf_counter() - t:.0f} s): {[round(e, 4) for e in egs]}")
    tasks = []
    n_exact = len(xs) if opts.exact_instances is None else min(len(xs), opts.exact_instances)
    for P in sorted(opts.P, reverse=True):  # the long P = 1000 runs first, so the pool ends evenly
        count = len(xs) if P <= 100 or opts.instances_p1000 is None else min(len(xs), opts.instances_p1000)
        dts = opts.dts if P <= 100 or opts.dts_p1000 is None else opts.dts_p1000
        for k in range(count):
            for dt in dts:
                tasks.append(("mps", k, xs[k], P, dt, opts.chi, egs[k]))
                if (P <= 100 or opts.exact_p1000) and not opts.no_exact and k < n_exact:
                    tasks.append(("exact", k, xs[k], P, dt, opts.chi, egs[k]))
    results: dict = {}
    if opts.exact_from:  # exact curves of an earlier run of the same instances (statevector-qa is deterministic)
        with open(opts.exact_from) as fh:
            old = json.load(fh)
        for r in old["published_case"]["rows"]:
            if r["exact_eps"]:
                results[("exact", r["P"], r["dt"])] = {k: {"eps": e, "seconds_per_step": float("nan")}
                                                      for k, e in enumerate(r["exact_eps"])}
        tasks = [t_ for t_ in tasks if not (t_[0] == "exact" and ("exact", t_[3], t_[4]) in results)]
    t = time.perf_counter()
    with ProcessPoolExecutor(max_workers=opts.jobs) as pool:
        for i, (kind, k, P, dt, out) in enumerate(pool.map(_task, tasks)):
            results.setdefault((kind, P, dt), {})[k] = out
            if opts.verbose:
                print(f"  [{i + 1}/{len(tasks)} {time.perf_counter() - t:5.0f} s] {kind} k={k} P={P} dt={dt}: "
                      f"eps={out['eps']:.3g}", flush=True)
    rows = []
    for P in opts.P:
        print(f"\nP = {P}: eps(1) = (<H> - E_gs)/N, mean over instances (+- standard error)")
        print(f"{'dt':>5} {'ours MPS':>18} {'paper MPS':>10} {'repo MPS':>9} {'ours exact':>18} {'paper ED':>9} "
              f"{'trunc.':>8} {'s/step':>7} {'cpu s':>6}")
        for dt in (opts.dts if P <= 100 or opts.dts_p1000 is None else opts.dts_p1000):
            m = results.get(("mps", P, dt), {})
            e = results.get(("exact", P, dt), {})
            me = np.array([v["eps"] for v in m.values()])
            ee = np.array([v["eps"] for v in e.values()])
            row = {"P": P, "dt": dt, "mps_eps": me.tolist(), "exact_eps": ee.tolist(),
                   "mps_eps_mean": float(me.mean()) if me.size else None,
                   "exact_eps_mean": float(ee.mean()) if ee.size else None,
                   "truncation_error": [v["truncation_error"] for v in m.values()],
                   "seconds_per_step": float(np.mean([v["seconds_per_step"] for v in m.values()])) if m else None,
                   "cpu_seconds_per_step": float(np.mean([v["cpu_seconds_per_step"] for v in m.values()])) if m else None,
                   "paper_mps": ref.at("paper_mps", P, dt), "paper_ed": ref.at("paper_ed", P, dt),
                   "repo_mps": ref.at("repo_mps", P, dt)}
            rows.append(row)

            def fmt(a):
                if not a.size:
                    return "-"
                se = a.std(ddof=1) / math.sqrt(a.size) if a.size > 1 else 0.0
                return f"{a.mean():.3g} +- {se:.1g}" if a.size > 1 else f"{a.mean():.3g}"
            trunc = max(row["truncation_error"]) if row["truncation_error"] else float("nan")
            print(f"{dt:5.2f} {fmt(me):>18} {row['paper_mps']:10.3g} {row['repo_mps']:9.3g} {fmt(ee):>18} "
                  f"{row['paper_ed']:9.3g} {trunc:8.2g} {row['seconds_per_step'] or float('nan'):7.3f} "
                  f"{row['cpu_seconds_per_step'] or float('nan'):6.3f}")
    report["published_case"] = {"instances": len(xs), "ground_energies": egs, "chi": opts.chi, "rows": rows,
                                "wall_seconds": time.perf_counter() - t}


def speed(opts, report: dict) -> None:
    from threadpoolctl import threadpool_limits

    from anneal_binn.tensor_network.mps import MPS

    print("\n== 2. speed: seconds per digitized step (17 or 9 counter MPOs + compression, chi = 10)")
    out = {}
    for n, m in ((21, 17), (12, 9)):
        xi = np.random.default_rng(opts.seed).choice([-1, 1], size=(m, n))
        r = run_mps(xi, opts.speed_steps, 1.0, 10, 0.0)
        out[f"N{n}_M{m}"] = r["seconds_per_step"]
        out[f"N{n}_M{m}_cpu"] = r["cpu_seconds_per_step"]
        print(f"  ours  N = {n}, {m} patterns: {r['seconds_per_step']:.3f} s/step wall, {r['cpu_seconds_per_step']:.3f} s/step CPU "
              "(no energy evaluation)")
    best = min(ref.REPO_SECONDS_PER_STEP_N12.values())
    print("  reference repository, N = 12, 9 patterns (its table, each step with an energy evaluation): "
          + ", ".join(f"{k} {v}" for k, v in ref.REPO_SECONDS_PER_STEP_N12.items()))
    ratio = out["N21_M17"] / best
    cpu_ratio = out["N21_M17_cpu"] / best
    print(f"  ours at N = 21 / reference's best at N = 12: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU time (target: within 5x)")
    out["cpu_ratio_N21_vs_reference_best_N12"] = cpu_ratio
    # one pattern's MPO: our zip-up kernel vs quimb's MPO.apply(compress=True)
    xi = np.random.default_rng(opts.seed).choice([-1, 1], size=(17, 21))
    cost = StabilityCost.perceptron(xi)
    mpo = cost.stability_mpo
    psi = MPS.product(np.full((21, 2), 2 ** -0.5))
    with threadpool_limits(1, user_api="blas"):
        for p in range(1, 6):  # grow the bond to chi first
            for mu in range(17):
                psi.apply_diagonal_mpo(mpo.mpo(mu, p / 5), 10)
            psi.apply_x_rotation(1 - p / 5)
        reps = 17 * 3
        t = time.process_time()
        for r in range(reps):
            psi.apply_diagonal_mpo(mpo.mpo(r % 17, 0.5, canonical=True), 10)
        ours = (time.process_time() - t) / reps
        try:
            from anneal_binn.tensor_network.mps import diagonal_mpo_to_quimb, to_quimb

            q = to_quimb(psi)
            t = time.process_time()
            for r in range(reps):
                op = diagonal_mpo_to_quimb(mpo.mpo(r % 17, 0.5))
                q = op.apply(q, compress=True, max_bond=10, cutoff=1e-12, method="svd")
            theirs = (time.process_time() - t) / reps
        except ImportError as exc:  # pragma: no cover - quimb is the tn extra
            theirs = float("nan")
            print(f"  quimb comparison skipped: {exc}")
    print(f"  one pattern's counter MPO at N = 21, chi = 10 (CPU time): ours {1e3 * ours:.1f} ms, quimb MPO.apply(compress) "
          f"{1e3 * theirs:.1f} ms ({theirs / ours:.1f}x)")
    out.update({"ratio_N21_vs_reference_best_N12": ratio, "reference_table_N12": ref.REPO_SECONDS_PER_STEP_N12,
                "pattern_apply_ms_ours": 1e3 * ours, "pattern_apply_ms_quimb": 1e3 * theirs})
    report["speed"] = out


def reach(opts, report: dict) -> None:
    from anneal_binn.solvers.mps_qa import MPSAnnealer

    print(f"\n== 3. reach: perceptrons at alpha = 0.5, chi = {opts.reach_chi}, digitized P = {opts.reach_steps}, dt = 1.0")
    out = []
    for n in opts.reach_sizes:
        m = n // 2
        xi = np.random.default_rng(opts.seed + n).choice([-1, 1], size=(m, n))
        cost = StabilityCost.perceptron(xi)
        t = time.perf_counter()
        ss = MPSAnnealer().sample_cost(cost, schedule="digitized", num_steps=opts.reach_steps, time_step=1.0,
                                       max_bond=opts.reach_chi, num_reads=200, seed=0)
        wall = time.perf_counter() - t
        row = {"N": n, "patterns": m, "chi": opts.reach_chi, "steps": opts.reach_steps, "wall_seconds": wall,
               "seconds_per_step": ss.info["evolution_seconds"] / opts.reach_steps,
               "cpu_seconds_per_step": ss.info["evolution_cpu_seconds"] / opts.reach_steps,
               "energy_density": ss.info["expected_energy"] / n, "best_sample_energy": float(ss.record.energy.min()),
               "fraction_zero_energy": float(np.mean(ss.record.energy <= 1e-12)),
               "truncation_error": ss.info["truncation_error"], "max_bond_dimension": ss.info["max_bond_dimension"]}
        out.append(row)
        print(f"  N = {n:3d}, {m} patterns: {wall:6.1f} s ({row['seconds_per_step']:.2f} s/step wall, "
              f"{row['cpu_seconds_per_step']:.2f} CPU), <H>/N = "
              f"{row['energy_density']:.4f}, best of 200 reads E = {row['best_sample_energy']:.3f} "
              f"({100 * row['fraction_zero_energy']:.0f}% solutions), truncation {row['truncation_error']:.2g}", flush=True)
    report["reach"] = out


def general_hubo(opts, report: dict) -> None:
    import anneal_binn as ab
    from anneal_binn.solvers.mps_qa import MPSAnnealer
    from anneal_binn.solvers.statevector_qa import StatevectorAnnealer

    problem = ab.build(ab.load_spec(opts.hubo_spec))
    poly = problem.to_hubo()
    n = len(poly.variables)
    print(f"\n== 4. general HUBO: {opts.hubo_spec}, N = {n}, {len(poly)} terms; linear schedule, "
          f"{opts.hubo_steps} Trotter steps, chi = {opts.hubo_chi}")
    kw = {"annealing_time": opts.hubo_steps * 0.5, "num_steps": opts.hubo_steps, "num_reads": 1, "seed": 0}
    exact = StatevectorAnnealer().sample_poly(poly, method="trotter", **kw)
    out = {"spec": opts.hubo_spec, "N": n, "terms": len(poly), "chi": opts.hubo_chi, "steps": opts.hubo_steps}
    for route, chi in (("dense", opts.hubo_chi), ("dense", 2 * opts.hubo_chi), ("terms", opts.hubo_chi)):
        t = time.perf_counter()
        ss = MPSAnnealer().sample_poly(poly, max_bond=chi, cost_mpo=route, **kw)
        wall = time.perf_counter() - t
        err = abs(ss.info["expected_energy"] - exact.info["expected_energy"])
        gerr = abs(ss.info["ground_state_probability"] - exact.info["ground_state_probability"])
        key = route if chi == opts.hubo_chi else f"{route}_chi{chi}"
        out[key] = {"chi": chi, "seconds_per_step": ss.info["evolution_seconds"] / opts.hubo_steps, "wall": wall,
                    "cpu_seconds_per_step": ss.info["evolution_cpu_seconds"] / opts.hubo_steps,
                    "energy_error": err, "ground_probability_error": gerr,
                    "truncation_error": ss.info["truncation_error"]}
        print(f"  {route:6s} chi = {chi:3d}: {out[key]['seconds_per_step']:8.3f} s/step, |<H> - exact| = {err:.1e}, "
              f"|p_gs - exact| = {gerr:.1e}, truncation {ss.info['truncation_error']:.1e}", flush=True)
    out["speedup"] = out["terms"]["seconds_per_step"] / out["dense"]["seconds_per_step"]
    big = out[f"dense_chi{2 * opts.hubo_chi}"]
    out["speedup_at_2chi"] = out["terms"]["seconds_per_step"] / big["seconds_per_step"]
    print(f"  compressed-MPO route: {out['speedup']:.0f}x faster than one gate per term at the same chi, "
          f"{out['speedup_at_2chi']:.0f}x at twice the chi (target >= 10x at equal accuracy)")
    report["general_hubo"] = out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="minutes: 1 instance, dt 0.2/1.0/1.7, P = 100, small parts 2-4")
    ap.add_argument("--dts", type=lambda s: [float(x) for x in s.split(",")], default=PUBLISHED_DTS)
    ap.add_argument("--P", type=lambda s: [int(x) for x in s.split(",")], default=[100, 1000])
    ap.add_argument("--chi", type=int, default=10)
    ap.add_argument("--instances", type=int, default=ref.PAPER_INSTANCES)
    ap.add_argument("--instances-p1000", type=int, default=None, help="fewer instances at P = 1000")
    ap.add_argument("--patterns", nargs="+", help=".npy files of (17, 21) ±1 patterns, one instance each")
    ap.add_argument("--dts-p1000", type=lambda s: [float(x) for x in s.split(",")], default=None,
                    help="a shorter dt list at P = 1000")
    ap.add_argument("--exact-instances", type=int, default=None, help="the exact curve on the first K instances only")
    ap.add_argument("--exact-from", help="reuse the exact curves of an earlier --json of the same instances")
    ap.add_argument("--exact-p1000", action="store_true", help="also the exact curve at P = 1000 (slow)")
    ap.add_argument("--no-exact", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1, help="worker processes for part 1")
    ap.add_argument("--speed-steps", type=int, default=10)
    ap.add_argument("--reach-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[51, 101])
    ap.add_argument("--reach-chi", type=int, default=32)
    ap.add_argument("--reach-steps", type=int, default=20)
    ap.add_argument("--hubo-spec", default="gaussian-activation")
    ap.add_argument("--hubo-steps", type=int, default=1)
    ap.add_argument("--hubo-chi", type=int, default=32)
    ap.add_argument("--parts", default="1,2,3,4")
    ap.add_argument("--json", help="write every number to this file")
    ap.add_argument("--merge", action="store_true", help="update --json FILE with these parts instead of replacing it")
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args(argv)
    if opts.quick:
        opts.dts, opts.P, opts.instances = [0.2, 1.0, 1.7], [100], 1
        opts.speed_steps, opts.reach_sizes, opts.reach_steps, opts.reach_chi = 5, [51], 5, 16
        opts.hubo_steps, opts.hubo_chi = 1, 16
    parts = {int(p) for p in opts.parts.split(",")}
    report: dict = {}
    if opts.json and opts.merge and os.path.exists(opts.json):
        with open(opts.json) as fh:
            report = json.load(fh)
    report.setdefault("runs", []).append({"argv": sys.argv[1:], "cpus": os.cpu_count(), "load_average": os.getloadavg()})
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (timings scale with the load)")
    t0 = time.perf_counter()
    for part, fn in ((1, published_case), (2, speed), (3, reach), (4, general_hubo)):
        if part in parts:
            fn(opts, report)
            if opts.json:
                with open(opts.json, "w") as fh:
                    json.dump(report, fh, indent=1, default=float)
    report["total_seconds"] = time.perf_counter() - t0
    print(f"\ntotal {report['total_seconds']:.0f} s")
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump(report, fh, indent=1, default=float)
    return 0


if __name__ == "__main__":
    sys.exit(main())
