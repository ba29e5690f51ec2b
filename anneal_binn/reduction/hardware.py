"""What a QUBO costs on a QPU: physical qubits and chains after a seeded minor embedding.

A reduction's ancilla count is not what a D-Wave user pays for: every logical variable becomes a
chain of physical qubits, and a dense QUBO with few ancillas can need more qubits than a sparse one
with many. :func:`embed` measures that with minorminer on the QPU's graph (``"pegasus"``: Advantage,
Pegasus P16, 5,640 qubits in the full graph, ~5,627 working on a chip; ``"zephyr"``: Advantage2,
Zephyr Z12 with 4-qubit tiles, 4,800 qubits), so
``reduce(method="auto", objective="physical_qubits")`` can keep the candidate that needs fewest.

Embedding is a heuristic: the count is an upper bound on the best embedding, seeded and so
repeatable for a given problem, graph and minorminer version (a search that runs into its
timeout may stop at a different point on a slower machine).

Examples:
    >>> import dimod, networkx as nx
    >>> bqm = dimod.BinaryQuadraticModel({}, {(0, 1): 1, (1, 2): 1, (0, 2): 1}, 0.0, "BINARY")
    >>> e = embed(bqm, nx.grid_2d_graph(4, 4), seed=0)     # a triangle needs a chain on a grid
    >>> e.ok, e.qubits, e.max_chain
    (True, 4, 2)
"""
from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np

from anneal_binn.errors import MissingExtraError, UsageError

TARGETS = {"pegasus": "Advantage (Pegasus P16)", "zephyr": "Advantage2 (Zephyr Z12, t=4)"}


def _dnx():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dwave-networkx announces its move to dwave-graphs
            import dwave_networkx as dnx
    except ImportError as exc:  # pragma: no cover - the qpu extra is installed in the test env
        raise MissingExtraError("embedding on a QPU graph needs dwave-networkx: pip install 'anneal-binn[qpu]'") from exc
    return dnx


@functools.lru_cache(maxsize=4)
def _named_graph(name: str):
    dnx = _dnx()
    return dnx.pegasus_graph(16) if name == "pegasus" else dnx.zephyr_graph(12, 4)


def target_graph(target):
    """The ``networkx.Graph`` of ``target``: a name in :data:`TARGETS` or a graph (returned as is).

    Examples:
        >>> target_graph("pegasus").number_of_nodes()   # the full P16 graph; a chip has a few qubits off
        5640
    """
    if isinstance(target, str):
        if target not in TARGETS:
            raise UsageError("target", f"unknown QPU graph {target!r}; choose one of {', '.join(TARGETS)} "
                             "or pass a networkx.Graph")
        return _named_graph(target)
    if not hasattr(target, "edges") or not hasattr(target, "nodes"):
        raise UsageError("target", f"expected a QPU graph name or a networkx.Graph, got {type(target).__name__}")
    return target


@dataclass(frozen=True)
class Embedding:
    """A minor embedding and what it costs.

    Attributes:
        ok: False when minorminer found none within its tries and timeout.
        qubits: physical qubits used (every chain, plus one per variable without couplers).
        max_chain, mean_chain: chain lengths over the variables.
        embedding: ``{variable: tuple of qubits}`` (empty when not ok).
    """

    ok: bool
    qubits: int
    max_chain: int
    mean_chain: float
    embedding: dict


def _find(edges, num_variables: int, graph, seed: int, timeout: float, tries: int, options=None):
    import minorminer

    emb = minorminer.find_embedding(edges, list(graph.edges), random_seed=seed, timeout=timeout, tries=tries,
                                    **(options or {}))
    if edges and not emb:
        return None
    lengths = np.array([len(emb.get(v, ())) or 1 for v in range(num_variables)]) if num_variables else np.zeros(0)
    return emb, lengths


def physical_qubits(edges, num_variables: int, graph, *, seed: int = 0, timeout: float = 10.0,
                    tries: int = 4, **options) -> Embedding:
    """Embed the couplers ``edges`` (pairs of ints ``< num_variables``) into ``graph``.

    ``options`` go to ``minorminer.find_embedding`` as they are (e.g. ``max_no_improvement`` and
    ``chainlength_patience`` for a harder search).
    """
    found = _find(sorted((min(u, v), max(u, v)) for u, v in edges), num_variables, graph, seed, timeout, tries,
                  options)
    if found is None:
        return Embedding(False, 0, 0, 0.0, {})
    emb, lengths = found
    return Embedding(True, int(lengths.sum()), int(lengths.max(initial=0)), float(lengths.mean()) if lengths.size
                     else 0.0, {v: tuple(c) for v, c in emb.items()})


def embed(bqm, target="pegasus", *, seed: int = 0, timeout: float = 10.0, tries: int = 4,
          **options) -> Embedding:
    """Embed a ``dimod.BinaryQuadraticModel`` into ``target`` (see :func:`target_graph`).

    Variables are numbered in ``bqm.variables`` order and couplers sorted, so a QUBO built by
    :func:`anneal_binn.reduce` embeds exactly as ``objective="physical_qubits"`` scored it. The
    embedding's keys are the BQM's labels. ``options`` go to ``minorminer.find_embedding``
    (see :func:`physical_qubits`).
    """
    graph = target_graph(target)
    labels = list(bqm.variables)
    index = {v: i for i, v in enumerate(labels)}
    e = physical_qubits([(index[u], index[v]) for u, v in bqm.quadratic], len(labels), graph, seed=seed,
                        timeout=timeout, tries=tries, **options)
    return Embedding(e.ok, e.qubits, e.max_chain, e.mean_chain, {labels[v]: c for v, c in e.embedding.items()})
