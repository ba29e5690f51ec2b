"""``anneal-binn experiment NAME SPEC``: the gate-model experiments of seeds 002-004.

Names:
    depth        N_optim random initializations per circuit depth: E(theta) of each, success within
                 epsilon (seed 002 Figs. 2-4).
    overfitting  training vs validation E(theta) along training for several training-set sizes (§II.7).
    mps          MPS hypernetwork (SPSA/QN-SPSA on shots), test accuracy and Hamming distances of the
                 sampled nets (seed 004; e.g. mnist8x8-activation, 66 qubits).
    grover       success probability vs k and BBHT cumulative success vs steps, with the classical
                 comparison (seed 003 Figs. 4-5).

Examples:
    anneal-binn experiment grover fawaz-p1
    anneal-binn experiment depth digits4x4-logistic --depths 0 1 2 --n-optim 200 --epsilon 5e-5 --json
"""
from __future__ import annotations

from anneal_binn.commands.common import positive_int, print_json, seed_int, to_jsonable, write_json_atomic

HELP = "gate-model experiments: depth (hypernetwork success vs depth), overfitting, mps (66-qubit sampling), grover (BBHT)"
NAMES = ("depth", "overfitting", "mps", "grover")
DEFAULT_SPEC = {"depth": "gaussian-activation", "overfitting": "gaussian-activation", "mps": "mnist8x8-activation",
                "grover": "fawaz-p1"}


def add_arguments(parser) -> None:
    parser.add_argument("name", choices=NAMES, help="which experiment")
    parser.add_argument("spec", nargs="?", help="catalogue name or TOML path (default depends on NAME)")
    parser.add_argument("--seed", type=seed_int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    parser.add_argument("--out", help="also write the JSON document to this file")
    parser.add_argument("--plot", metavar="FILE",
                        help="write the experiment's figure (.png, .pdf, .svg; needs the plot extra): grover success "
                             "vs k and BBHT, depth success vs layers, overfitting/mps training curves")
    g = parser.add_argument_group("depth")
    g.add_argument("--depths", type=int, nargs="+", default=[0, 1, 2, 3, 4], help="layers (0 = product state)")
    g.add_argument("--n-optim", type=positive_int, default=200, help="initializations per depth")
    g.add_argument("--epsilon", type=float, default=0.03, help="success: E - min C < epsilon")
    g.add_argument("--maxiter", type=positive_int, default=300, help="optimizer iterations")
    g = parser.add_argument_group("overfitting")
    g.add_argument("--sizes", type=positive_int, nargs="+", default=[2, 4, 6, 8, 1000], help="training-set sizes")
    g.add_argument("--realizations", type=positive_int, default=100)
    g.add_argument("--iterations", type=positive_int, default=50)
    g.add_argument("--layers", type=int, default=None, help="circuit layers (overfitting: 1, mps: 2)")
    g.add_argument("--spread", type=float, default=0.3)
    g = parser.add_argument_group("mps")
    g.add_argument("--shots", type=positive_int, default=1000)
    g.add_argument("--samples", type=positive_int, default=1000)
    g.add_argument("--optimizer", choices=("spsa", "qnspsa"), default="spsa")
    g.add_argument("--accuracy-cut", type=float, default=0.9)
    g.add_argument("--max-bond-dimension", type=positive_int, default=None)
    g = parser.add_argument_group("grover")
    g.add_argument("--threshold", type=float, default=None, help="mark C <= threshold (default: the minimum)")
    g.add_argument("--max-k", type=positive_int, default=12)
    g.add_argument("--runs", type=positive_int, default=100)


def _depth(args, spec):
    import numpy as np

    import anneal_binn as ab
    from anneal_binn.gate.experiments import depth_study

    problem = ab.build(ab.load_spec(spec))
    st = depth_study(problem.landscape(), depths=tuple(args.depths), n_optim=args.n_optim, epsilon=args.epsilon,
                     seed=args.seed, maxiter=args.maxiter)
    doc = {"experiment": "depth", "spec": problem.name, "num_variables": problem.num_variables, "c_min": st.c_min,
           "epsilon": st.epsilon, "success": st.success, "seconds": st.seconds, "mean_nfev": st.nfev,
           "energies": st.energies, "lowest_costs": st.lowest_costs}
    lines = [f"{problem.name}: N = {problem.num_variables}, min C = {st.c_min:.6g}, {args.n_optim} initializations per depth",
             f"{'layers':>7} {'P(E-Cmin<eps)':>14} {'median E':>10} {'nfev':>7} {'seconds':>8}"]
    for d in st.depths:
        lines.append(f"{d:>7} {st.success[d]:>14.3f} {np.median(st.energies[d]):>10.5g} {st.nfev[d]:>7.1f} {st.seconds[d]:>8.2f}")
    return doc, lines, st


def _overfitting(args, spec):
    from anneal_binn.gate.experiments import overfitting_study

    st = overfitting_study(spec, sizes=tuple(args.sizes), realizations=args.realizations, iterations=args.iterations,
                           layers=1 if args.layers is None else args.layers, spread=args.spread, seed=args.seed)
    doc = {"experiment": "overfitting", "spec": spec, "sizes": st.sizes, "train": st.train,
           "validation": st.validation, "realizations": st.realizations, "settings": st.settings}
    lines = [f"{'N_s':>6} {'train start':>12} {'train end':>10} {'val min':>9} {'val end':>9}"]
    for s in st.sizes:
        lines.append(f"{s:>6} {st.train[s][0]:>12.4f} {st.train[s][-1]:>10.4f} {st.validation[s].min():>9.4f} "
                     f"{st.validation[s][-1]:>9.4f}")
    return doc, lines, st


def _mps(args, spec):
    from anneal_binn.gate.experiments import mps_sampling_study

    st = mps_sampling_study(spec, layers=2 if args.layers is None else args.layers, shots=args.shots,
                            maxiter=args.maxiter, optimizer=args.optimizer, samples=args.samples,
                            accuracy_cut=args.accuracy_cut, seed=args.seed, max_bond_dimension=args.max_bond_dimension)
    good = st.test_accuracy > st.accuracy_cut
    doc = {"experiment": "mps", "spec": spec, "num_qubits": st.num_qubits, "trace": st.trace,
           "test_accuracy": st.test_accuracy, "train_loss": st.train_loss, "hamming_good": st.hamming,
           "accuracy_cut": st.accuracy_cut, "fraction_good": float(good.mean()), "seconds": st.seconds,
           "bits": st.bits}
    lines = [f"{spec}: {st.num_qubits} qubits, {len(st.bits)} sampled nets in {st.seconds:.1f} s",
             f"test accuracy: mean {st.test_accuracy.mean():.3f}, max {st.test_accuracy.max():.3f}; "
             f"{good.mean():.1%} above {st.accuracy_cut}",
             f"mutual Hamming distance among those: {st.hamming:.2f}"]
    return doc, lines, st


def _grover(args, spec):
    import anneal_binn as ab
    from anneal_binn.gate.experiments import grover_study

    problem = ab.build(ab.load_spec(spec))
    st = grover_study(problem.landscape(), threshold=args.threshold, max_k=args.max_k, runs=args.runs, seed=args.seed)
    doc = {"experiment": "grover", "spec": problem.name, **{k: getattr(st, k) for k in st.__dataclass_fields__}}
    lines = [f"{problem.name}: {st.num_marked} of {st.num_configurations} configurations marked",
             "  k  sin^2((2k+1)theta)  statevector  sampled"]
    lines += [f"{k:>3}  {p:>18.4f}  {s:>11.4f}  {m:>7.2f}" for k, p, s, m in zip(st.k, st.probability, st.statevector, st.sampled)]
    lines += [f"BBHT (paper schedule) steps to >90% success: {st.bbht_steps_90[0]} ({args.runs} runs), "
              f"{st.bbht_steps_90[1]} (exact)",
              f"classical random guessing to >=90%: {st.classical_steps_90[0]} with replacement, "
              f"{st.classical_steps_90[1]} without (seed 003 quotes {st.paper_classical} = floor(0.9/p))"]
    return doc, lines, st


def main(args) -> int:
    spec = args.spec or DEFAULT_SPEC[args.name]
    if args.plot:
        from anneal_binn.plot import check_plot_file

        check_plot_file(args.plot)
    doc, lines, study = {"depth": _depth, "overfitting": _overfitting, "mps": _mps, "grover": _grover}[args.name](args, spec)
    if args.out:
        write_json_atomic(args.out, doc)
    if args.plot:
        from anneal_binn import plot

        plot.save(plot.experiment_figure(args.name, study), args.plot)
    if args.json:
        print_json(to_jsonable(doc))
    else:
        print("\n".join(lines))
    return 0
