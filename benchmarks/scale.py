"""Loss annealers on the binary perceptron and two catalogue nets: errors, fractions solved, times.

Tables:
1. ``perceptron-N201-alpha0.7`` (pattern seeds 0..9): training errors and seconds per instance
   for plain SA, SQA and replicated SA on the hinge energy at one sweep budget (a sweep visits
   every bit of every copy: SQA's 16 slices and the 5 replicas cost 16x and 5x a plain SA sweep),
   plus plain SA given 5x and 16x the sweeps (the same number of flips as replicated and SQA).
2. N = 1001 random patterns at several loads: fraction of instances solved (zero errors).
3. ``digits-hidden`` and ``mnist8x8-activation`` through loss-sa: train/test accuracy.
4. Every catalogue spec past enumeration through its own route (``[run] solver``, what ``anneal-binn
   run`` does) beside its classical baseline (``[run] baseline``: SBPI for perceptrons, STE for
   hidden-layer nets) on the same instance and seed: losses, accuracies, seconds, the time ratio and
   who wins on training loss.

Tables 1 and 2 carry the QPU-sized route (dwave-samplers SA on the N-variable unbalanced-penalization
QUBO, 32 reads) and the classical baselines (SBPI, CP+R, STE) as extra columns.

Usage::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/scale.py --quick
    PYTHONPATH=. python benchmarks/scale.py --table n201 --instances 10
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import anneal_binn as ab
from anneal_binn.problem import Problem
from anneal_binn.data import load_dataset
from anneal_binn.spec import load_spec, spec_from_dict


def perceptron(n: int, alpha: float, seed: int) -> Problem:
    raw = {"name": f"perceptron-N{n}-alpha{alpha}-s{seed}", "seed": seed,
           "data": {"source": "perceptron", "n": n, "alpha": alpha, "labels": "random"},
           "model": {"loss": "zero-one", "output": {"bias": False, "activation": "sign"}}}
    spec = spec_from_dict(raw)
    return Problem(spec, load_dataset(spec.data, seed=spec.seed))


def catalogue_instance(name: str, seed: int) -> Problem:
    raw = load_spec(name).to_dict()
    raw["seed"] = seed
    spec = spec_from_dict(raw)
    return Problem(spec, load_dataset(spec.data, seed=spec.seed))


def run(problem, solver, **params):
    """(best true training loss, seconds) of one solver call; a config's own num_reads wins."""
    params = dict(params)
    if "reads" in params:
        params["num_reads"] = params.pop("reads")
    t0 = time.perf_counter()
    ss = ab.solve(problem, solver=solver, **params)
    dt = time.perf_counter() - t0
    return float(problem.losses(problem.sample_bits(ss)).min()), dt


def warm():
    # compile every kernel once so that no table pays for compilation
    p = perceptron(21, 0.5, 0)
    for s in ("loss-sa", "loss-sqa", "loss-replicated"):
        ab.solve(p, solver=s, seed=0, num_reads=1, num_sweeps=2)
    for s in ("sbpi", "cpr"):
        ab.solve(p, solver=s, seed=0, num_reads=1)


def table_n201(instances, sweeps, reads, configs):
    print(f"\n## perceptron-N201-alpha0.7, pattern seeds 0..{instances - 1}: training errors (seconds), "
          f"num_reads={reads}")
    names = [c[0] for c in configs]
    print("| seed | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    solved = {n: 0 for n in names}
    times = {n: [] for n in names}
    for seed in range(instances):
        p = catalogue_instance("perceptron-N201-alpha0.7", seed)
        row = []
        for name, solver, params in configs:
            e, dt = run(p, solver, **{"seed": seed, "num_reads": reads, **params})
            solved[name] += e == 0
            times[name].append(dt)
            row.append(f"{int(e)} ({dt:.1f}s)")
        print(f"| {seed} | " + " | ".join(row) + " |", flush=True)
    print("| solved | " + " | ".join(f"{solved[n]}/{instances}" for n in names) + " |")
    print("| mean s | " + " | ".join(f"{np.mean(times[n]):.1f}" for n in names) + " |")


def table_n1001(alphas, instances, reads, configs):
    print(f"\n## N = 1001, random labels, pattern seeds 0..{instances - 1}: training errors (seconds), "
          f"num_reads={reads}")
    names = [c[0] for c in configs]
    print("| alpha | seed | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 2) + "|")
    for alpha in alphas:
        results = {n: [] for n in names}
        times = {n: [] for n in names}
        for seed in range(instances):
            p = perceptron(1001, alpha, seed)
            row = []
            for name, solver, params in configs:
                e, dt = run(p, solver, **{"seed": seed, "num_reads": reads, **params})
                results[name].append(int(e))
                times[name].append(dt)
                row.append(f"{int(e)} ({dt:.0f}s)")
            print(f"| {alpha} | {seed} | " + " | ".join(row) + " |", flush=True)
        cells = [f"{sum(e == 0 for e in results[n])}/{instances} solved, mean {np.mean(times[n]):.0f}s" for n in names]
        print(f"| {alpha} | all | " + " | ".join(cells) + " |", flush=True)


def table_nets(sweeps, reads):
    print(f"\n## catalogue nets through loss-sa (num_sweeps={sweeps}, num_reads={reads}, seed 0)")
    print("| spec | N | energy | best train loss | train acc | test acc | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name in ("digits-hidden", "mnist8x8-activation"):
        p = ab.build(ab.load_spec(name))
        t0 = time.perf_counter()
        ss = ab.solve(p, solver="loss-sa", seed=0, num_reads=reads, num_sweeps=sweeps)
        dt = time.perf_counter() - t0
        rep = p.evaluate(ss, exact=False)
        print(f"| {name} | {p.num_variables} | {ss.info['energy']} | {rep.best.loss:.4g} | "
              f"{rep.best.accuracy.train:.3f} | {rep.best.accuracy.test:.3f} | {dt:.1f} |", flush=True)


def table_routes(names=None):
    """Each catalogue spec past enumeration: its own route beside its baseline, same instance, seed and reads."""
    from anneal_binn.pipeline import Pipeline
    from anneal_binn.spec import catalogue

    print("\n## catalogue specs past enumeration: the spec's route vs its classical baseline (seed 0)")
    print("| spec | N | route | train loss | train acc | test acc | s | baseline | train loss | train acc | "
          "test acc | s | time ratio | on training loss |")
    print("|---" * 14 + "|")
    for name in names or catalogue():
        p = ab.build(ab.load_spec(name))
        if p.num_variables <= 22 or "baseline" not in p.spec.run:
            continue
        if Pipeline(p).name.startswith("loss-"):
            # compile this architecture's kernel first, so the timed run measures annealing only
            Pipeline(p, params={"num_sweeps": 2}).run(seed=0, num_reads=1, exact=False)
        mine = Pipeline(p).run(seed=0, exact=False)
        base = Pipeline(p, p.spec.run["baseline"]).run(seed=0, num_reads=len(mine.sampleset), exact=False)
        a, b = mine.report.best, base.report.best
        ta, tb = mine.timing["sample_s"], base.timing["sample_s"]
        verdict = "tie" if abs(a.loss - b.loss) <= 1e-9 * max(1, abs(b.loss)) else (
            "annealing wins" if a.loss < b.loss else "annealing LOSES")
        print(f"| {name} | {p.num_variables} | {mine.solver} | {a.loss:.4g} | {a.accuracy.train:.3f} | "
              f"{a.accuracy.test:.3f} | {ta:.1f} | {base.solver} | {b.loss:.4g} | {b.accuracy.train:.3f} | "
              f"{b.accuracy.test:.3f} | {tb:.2f} | {ta / max(tb, 1e-9):.3g}x | {verdict} |", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small budgets: a smoke run of every table (~30 s)")
    ap.add_argument("--table", choices=("n201", "n1001", "nets", "routes", "all"), default="all")
    ap.add_argument("--specs", nargs="+", default=None, help="routes table: these catalogue specs only")
    ap.add_argument("--instances", type=int, default=10)
    ap.add_argument("--alphas", type=float, nargs="+", default=[0.3, 0.5, 0.6, 0.7])
    ap.add_argument("--sweeps", type=int, default=2000, help="sweeps of every copy (SA, SQA slices, replicas)")
    ap.add_argument("--reads", type=int, default=2)
    ap.add_argument("--slices", type=int, default=None)
    ap.add_argument("--replicas", type=int, default=None)
    ap.add_argument("--solvers", nargs="+", default=None, help="columns to run, by their table names")
    args = ap.parse_args()
    if args.quick:
        args.instances, args.sweeps, args.alphas = 3, 500, [0.5]
        args.solvers = args.solvers or ["loss-sa", "loss-sqa", "loss-replicated", "sbpi"]
    warm()
    sqa = {} if args.slices is None else {"trotter_slices": args.slices}
    rep = {} if args.replicas is None else {"num_replicas": args.replicas}
    from anneal_binn.solvers.loss_anneal.samplers import LossQuantumAnnealing, LossReplicatedAnnealing

    y = args.replicas or LossReplicatedAnnealing.default_replicas
    R = args.slices or LossQuantumAnnealing.default_slices
    configs = [
        ("loss-sa", "loss-sa", {"num_sweeps": args.sweeps}),
        (f"loss-sa x{y} sweeps", "loss-sa", {"num_sweeps": args.sweeps * y}),
        (f"loss-sa x{R} sweeps", "loss-sa", {"num_sweeps": args.sweeps * R}),
        ("loss-sqa", "loss-sqa", {"num_sweeps": args.sweeps, **sqa}),
        ("loss-replicated", "loss-replicated", {"num_sweeps": args.sweeps, **rep}),
        # the QPU-sized route: dwave-samplers SA on the N-variable unbalanced-penalization QUBO
        ("sa unbalanced QUBO", "sa", {"qubo": {"method": "unbalanced"}, "reads": 32, "num_sweeps": 4000}),
        # classical baselines on the same instances
        ("sbpi", "sbpi", {"reads": 1}),
        ("cpr", "cpr", {"reads": 1}),
        ("ste", "ste", {"reads": 4}),
    ]
    if args.solvers:
        configs = [c for c in configs if c[0] in args.solvers]
    if args.table in ("n201", "all"):
        table_n201(args.instances, args.sweeps, args.reads, configs)
    if args.table in ("n1001", "all"):
        table_n1001(args.alphas, 1 if args.quick else args.instances, args.reads, configs)
    if args.table in ("nets", "all"):
        table_nets(500 if args.quick else 5000, args.reads)
    if args.table in ("routes", "all"):
        table_routes(args.specs or (["perceptron-N101-alpha0.5", "mnist-perceptron-785"] if args.quick else None))


if __name__ == "__main__":
    main()
