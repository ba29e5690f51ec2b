"""``anneal-binn run`` on a spec with a ``[select]`` table: the method, what runs beside it, the report.

The spec's ``select.method`` gives the answer; every method in ``select.compare`` runs beside it
on the same random weights. The command-line solver options (``--solver``, ``--num-reads``,
``--seed``, ``--param``, ``--qubo``, ``--reduction``, ``--mock``) apply to the answer's solver
(local or global); ``--no-baseline`` skips the comparisons.

Examples:
    >>> import anneal_binn as ab
    >>> doc = run_spec(ab.build(ab.load_spec("select-tiny")), compare=[])
    >>> doc["answer"]["method"], doc["answer"]["largest_subproblem"]
    ('local', 4)
"""
from __future__ import annotations


def run_spec(problem, *, solver=None, seed=None, num_reads=None, params=None, qubo=None, reduction=None,
             compare=None) -> dict:
    """Run the spec's selection method and its comparisons; one JSON-ready document."""
    from anneal_binn.selection.api import run_method, selection_problem
    from anneal_binn.selection.spec import method_options, validate
    from anneal_binn.spec import thaw

    table = thaw(problem.spec.select) if problem.spec.select else validate({})
    sel = selection_problem(problem)
    method = table["method"]
    opts = method_options(table, method)
    if method != "edge-popup":
        if solver is not None and solver != opts.get("solver"):
            opts = {k: v for k, v in opts.items() if k not in ("params", "num_reads", "qubo", "reduction")}
            opts["solver"] = solver
        for key, value in (("seed", seed), ("num_reads", num_reads), ("qubo", qubo), ("reduction", reduction)):
            if value is not None:
                opts[key] = value
        if params:
            opts["params"] = {**opts.get("params", {}), **params}
    elif seed is not None:
        opts["seed"] = seed
    answer = run_method(sel, method, **opts)
    others = []
    for m in (table["compare"] if compare is None else compare):
        others.append(run_method(sel, m, **method_options(table, m)))
    return {"spec": problem.name, "description": problem.spec.description, "over": sel.over,
            "layers": list(sel.layers), "n": sel.n, "weight_seed": sel.weight_seed,
            "data": problem.data.name, "num_samples": {"train": int(len(problem.data.y_train)),
                                                      "test": int(len(problem.data.y_test))},
            "loss": problem.arch.loss,
            "sparsity": None if sel.sparsity is None else sel.sparsity.describe(),
            "answer": answer.to_dict(), "compare": [r.to_dict() for r in others],
            "_results": [answer] + others}


def format_report(doc: dict) -> str:
    """The human-readable report of :func:`run_spec`'s document."""
    lines = [f"spec        {doc['spec']}: {doc['description']}",
             f"selection   {doc['n']} bits over {doc['over']} of layer(s) {doc['layers']}, random ±1 weights "
             f"(seed {doc['weight_seed']}); {doc['data']}, {doc['num_samples']['train']} train / "
             f"{doc['num_samples']['test']} test samples; loss {doc['loss']}"
             + (f"; {doc['sparsity']}" if doc["sparsity"] else "")]
    for k, r in enumerate(doc["_results"]):
        lines.append(("answer      " if k == 0 else "beside      ") + r.describe().replace("\n", "\n            "))
    return "\n".join(lines)
