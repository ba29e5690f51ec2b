"""``qpu`` and ``hybrid``: D-Wave hardware (or its offline mock) behind the registry.

``qpu`` embeds the QUBO on the QPU's working graph once (minorminer) and then reuses that
embedding for every call (a cached ``FixedEmbeddingComposite``), so a run's samples all come
from the same physical problem and the embedding can be stored with the run and reloaded
(``embedding=...``). ``mock=True`` replaces the QPU by ``dwave.system.testing.MockDWaveSampler``
with a Pegasus topology: the same code path, offline, no token.

Chain strength rule: ``uniform_torque_compensation`` (dwave.embedding.chain_strength) with
prefactor 1.414, computed on the source BQM; override with ``chain_strength=<float>``. The
per-sample chain-break fraction is in the record, its mean in ``info["chain_break_fraction"]``.

Credentials are never read here: ``DWaveSampler``/``LeapHybridSampler`` resolve them from the
user's D-Wave config file or environment (``dwave config create``, ``DWAVE_API_TOKEN``).
Failures (no token, endpoint unreachable, problem too large for the graph) raise
:class:`QPUError` with a one-line explanation, with anything token-like scrubbed.

Examples:
    >>> import dimod
    >>> bqm = dimod.BinaryQuadraticModel({0: -1.0, 1: 0.5}, {(0, 1): -1.0}, 0.0, "BINARY")
    >>> ss = QPUSampler(mock=True, topology_shape=4).sample(bqm, num_reads=10, seed=1)
    >>> float(ss.first.energy), "chain_break_fraction" in ss.record.dtype.names
    (-1.5, True)
"""
from __future__ import annotations

import re
from typing import Any

import dimod
import numpy as np

CHAIN_PREFACTOR = 1.414
_TOKEN_LIKE = re.compile(r"[A-Za-z]{2,5}-[0-9a-fA-F]{20,}|[0-9a-fA-F]{32,}")


from anneal_binn.errors import RemoteError


class QPUError(RemoteError):
    """The QPU or Leap could not be used; the message says why and what to do."""


def scrub(text: str) -> str:
    """Remove anything that looks like an API token from a message."""
    return _TOKEN_LIKE.sub("<redacted>", str(text))


def _explain(exc: Exception, what: str) -> QPUError:
    msg = scrub(exc)
    name = type(exc).__name__
    if "token" in msg.lower() or "auth" in name.lower() or "auth" in msg.lower():
        hint = ("no valid D-Wave API token: run `dwave config create` or set DWAVE_API_TOKEN "
                "(or use --mock to run offline)")
    elif any(k in name.lower() + msg.lower() for k in ("connection", "timeout", "resolve", "network", "unreachable", "request")):
        hint = "the D-Wave endpoint could not be reached; check the network or use --mock"
    elif "solver" in msg.lower():
        hint = "no matching solver is available to this account"
    else:
        hint = "see the D-Wave message above"
    return QPUError(f"{what} failed ({name}: {msg}); {hint}")


def _require_system():
    from anneal_binn.errors import require

    require("dwave.system", "qpu")
    require("minorminer", "qpu")


class QPUSampler(dimod.Sampler):
    """A D-Wave QPU (or the Pegasus mock) with a cached embedding and a stated chain-strength rule.

    Args:
        mock: use ``MockDWaveSampler(topology_type="pegasus")`` instead of a real QPU.
        topology_shape: Pegasus size of the mock (default 16, i.e. Advantage's P16).
        solver: solver selection passed to ``DWaveSampler(solver=...)`` (name or feature dict).
        embedding: a fixed embedding ``{variable: [qubits]}`` to reuse (e.g. from a run directory).
        chain_strength: a number to override the rule.
        chain_prefactor: prefactor of the uniform-torque-compensation rule (default 1.414).
        embedding_timeout: seconds minorminer may search (default 60).
        **defaults: default sample parameters (``annealing_time``, ``num_reads``, ...).
    """

    def __init__(self, mock: bool = False, topology_shape: int = 16, solver=None, embedding: dict | None = None,
                 chain_strength: float | None = None, chain_prefactor: float = CHAIN_PREFACTOR,
                 embedding_timeout: float = 60.0, **defaults: Any):
        self.mock = bool(mock)
        self.topology_shape = int(topology_shape)
        self.solver = solver
        self.embedding = None if embedding is None else {k: list(v) for k, v in embedding.items()}
        self.chain_strength = chain_strength
        self.chain_prefactor = float(chain_prefactor)
        self.embedding_timeout = float(embedding_timeout)
        self.defaults = dict(defaults)
        self._child = None

    @property
    def parameters(self) -> dict:
        return {"num_reads": [], "seed": [], "annealing_time": [], "chain_strength": [], "anneal_schedule": [],
                "initial_state": [], "auto_scale": [], "label": []}

    @property
    def properties(self) -> dict:
        return {"mock": self.mock, "chain_rule": f"uniform_torque_compensation(prefactor={self.chain_prefactor})"}

    def child(self):
        """The structured QPU sampler (created on first use, so construction needs no network)."""
        if self._child is None:
            _require_system()
            if self.mock:
                from dwave.system.testing import MockDWaveSampler

                self._child = MockDWaveSampler(topology_type="pegasus", topology_shape=[self.topology_shape],
                                               parameter_warnings=False)
            else:
                from dwave.system import DWaveSampler

                try:
                    self._child = DWaveSampler(**({"solver": self.solver} if self.solver else {}))
                except Exception as exc:  # dwave-cloud raises many types; all become one clear message
                    raise _explain(exc, "connecting to the D-Wave QPU") from None
        return self._child

    @property
    def solver_name(self) -> str:
        child = self.child()
        if self.mock:
            return f"MockDWaveSampler(pegasus P{self.topology_shape})"
        return str(getattr(getattr(child, "solver", None), "name", "DWaveSampler"))

    def find_embedding(self, bqm: dimod.BinaryQuadraticModel, seed: int | None = None) -> dict:
        """Embed ``bqm``'s graph in the QPU graph (minorminer), or raise QPUError if it does not fit."""
        import minorminer

        child = self.child()
        target = child.edgelist
        qubits = len(child.nodelist)
        if len(bqm.variables) > qubits:
            raise QPUError(f"problem too large for the QPU graph: {len(bqm.variables)} variables > {qubits} qubits")
        edges = list(bqm.quadratic)
        if not edges:
            # no couplers: each variable on its own qubit
            return {v: [q] for v, q in zip(bqm.variables, child.nodelist)}
        emb = minorminer.find_embedding(edges, target, random_seed=seed, timeout=self.embedding_timeout)
        if emb:
            # variables without couplers need a qubit of their own, outside every chain
            used = {q for chain in emb.values() for q in chain}
            free = iter([q for q in child.nodelist if q not in used])
            for v in bqm.variables:
                if v not in emb:
                    q = next(free, None)
                    if q is None:
                        break
                    emb[v] = [q]
        if not emb or any(v not in emb for v in bqm.variables):
            raise QPUError(
                f"problem too large for the QPU graph: no embedding of {len(bqm.variables)} variables and "
                f"{len(edges)} couplers into {self.solver_name} ({qubits} qubits) was found in "
                f"{self.embedding_timeout:g} s; reduce the problem or use hybrid"
            )
        return {v: list(c) for v, c in emb.items()}

    def _embedding_fits(self, bqm: dimod.BinaryQuadraticModel, child) -> bool:
        """Whether the cached embedding has a chain for every variable and a coupler for every interaction."""
        emb = self.embedding
        if emb is None or any(v not in emb for v in bqm.variables):
            return False
        adj = child.adjacency
        return all(any(q in adj[p] for p in emb[u] for q in emb[v]) for u, v in bqm.quadratic)

    def chain_strength_for(self, bqm: dimod.BinaryQuadraticModel) -> float:
        """The chain strength used: the override, else uniform torque compensation x prefactor."""
        if self.chain_strength is not None:
            return float(self.chain_strength)
        from dwave.embedding.chain_strength import uniform_torque_compensation

        if not bqm.quadratic:
            return 1.0
        return float(uniform_torque_compensation(bqm, prefactor=self.chain_prefactor))

    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Sample ``bqm`` on the QPU (or mock). Energies are ``bqm``'s, after unembedding.

        Args:
            bqm: the QUBO/Ising model.
            num_reads: reads (default 100).
            seed: seeds the embedding search and, with ``mock``, the mock's sampler.
            chain_strength: override for this call.
            **kwargs: QPU parameters (``annealing_time``, ``anneal_schedule``, ...).
        """
        from dwave.system import FixedEmbeddingComposite

        from anneal_binn.solvers._common import drop_unknown_kwargs

        # dimod's keyword policy: an unknown name is warned about and dropped, never sent to the QPU
        opts = drop_unknown_kwargs(self, {**self.defaults, **kwargs})
        seed = opts.pop("seed", None)
        num_reads = int(opts.pop("num_reads", 100) or 100)
        cs = opts.pop("chain_strength", None)
        chain_strength = float(cs) if cs is not None else self.chain_strength_for(bqm)
        child = self.child()
        if not self._embedding_fits(bqm, child):
            self.embedding = self.find_embedding(bqm, seed)
        embedding = {v: self.embedding[v] for v in bqm.variables}
        if self.mock:
            child.substitute_kwargs = {**(child.substitute_kwargs or {}), "seed": seed}
        composite = FixedEmbeddingComposite(child, embedding)
        try:
            ss = composite.sample(bqm, num_reads=num_reads, chain_strength=chain_strength,
                                  chain_break_fraction=True, **opts)
            ss.resolve()
        except QPUError:
            raise
        except ValueError:
            raise
        except Exception as exc:
            raise _explain(exc, "sampling on the D-Wave QPU") from None
        ss.info["chain_strength"] = chain_strength
        ss.info["chain_strength_rule"] = "override" if (cs is not None or self.chain_strength is not None) else \
            f"uniform_torque_compensation(prefactor={self.chain_prefactor})"
        ss.info["chain_break_fraction"] = float(np.average(ss.record.chain_break_fraction,
                                                           weights=ss.record.num_occurrences))
        ss.info["embedding"] = {str(k): [int(q) for q in v] for k, v in embedding.items()}
        ss.info["solver"] = self.solver_name
        return ss


class HybridSampler(dimod.Sampler):
    """Leap's hybrid BQM solver (``LeapHybridSampler``); needs a Leap account.

    Args:
        solver: solver selection for ``LeapHybridSampler(solver=...)``.
        **defaults: default sample parameters (``time_limit``, ...).
    """

    def __init__(self, solver=None, **defaults: Any):
        self.solver = solver
        self.defaults = dict(defaults)
        self._child = None

    @property
    def parameters(self) -> dict:
        return {"time_limit": [], "label": [], "num_reads": [], "seed": []}

    @property
    def properties(self) -> dict:
        return {"solver": "LeapHybridSampler"}

    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Submit ``bqm`` to Leap; ``num_reads`` and ``seed`` are accepted and ignored (one answer per call)."""
        _require_system()
        opts = {**self.defaults, **kwargs}
        opts.pop("num_reads", None)
        opts.pop("seed", None)
        try:
            if self._child is None:
                from dwave.system import LeapHybridSampler

                self._child = LeapHybridSampler(**({"solver": self.solver} if self.solver else {}))
            ss = self._child.sample(bqm, **opts)
            ss.resolve()
        except Exception as exc:
            raise _explain(exc, "Leap hybrid sampling") from None
        return ss
