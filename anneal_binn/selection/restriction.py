"""A :class:`~anneal_binn.problem.Problem` restricted to some of its bits, the others clamped.

A :class:`Restriction` is an ordinary Problem over ``k`` variables ``0..k-1`` (variable ``i`` is
the parent's bit ``free[i]``; every other parent bit keeps its value in ``base``). It has the
Problem's whole surface, so every registered solver takes it through the one
:class:`~anneal_binn.pipeline.Pipeline`: the exact landscape and its Fourier HUBO (``exact``,
``hubo-sa``, ``statevector-qa``, ``mps-qa``, ``grover``, ``hypernet``), the reduced QUBO (``sa``,
``tabu``, ``sqa``, ``qpu`` with ``mock=True``) and, through :attr:`Restriction.clamped`, the loss
annealers (``loss-sa``, ``loss-sqa``, ``loss-replicated`` flip only the free bits of the parent's
compiled net). Neuron selection uses it for the whole selection (global) and for every block
(local).

Evaluation is fast when every free bit acts on one layer ``T`` linearly: connection-mask, weight
and bias bits of layer ``T`` and neuron-mask bits of layer ``T - 1`` (no two on the same edge).
Then the layers below ``T`` are computed once, the pre-activations of ``T`` are affine in the free
bits, and the loss of every configuration costs O(P) per changed unit (a compiled kernel when a
single output unit changes under softmax-ce or bce, numba with the ``fast`` extra). Anything
else is evaluated by the parent's own forward pass on the embedded bits; both agree to round-off.

An optional :class:`~anneal_binn.selection.sparsity.Sparsity` term is added to the loss: the
objective every solver minimizes is ``loss + sparsity``.

Examples:
    >>> import numpy as np, anneal_binn as ab
    >>> p = ab.build(ab.load_spec("fawaz-meta-p1"))        # 8 weights + 6 connection-mask bits
    >>> base = np.ones(p.num_variables, dtype=np.uint8)
    >>> r = Restriction(p, free=range(8, 14), base=base)    # the mask bits; weights held at +1
    >>> r.num_variables, r.register.count("mask")
    (6, 6)
    >>> bits = np.ones((1, 6), dtype=np.uint8)
    >>> bool(np.isclose(r.losses(bits)[0], p.losses(base[None])[0]))
    True
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from anneal_binn.errors import TooLargeError, UsageError
from anneal_binn.model.activations import ACTIVATIONS
from anneal_binn.model.architecture import choice_index, index_to_bits
from anneal_binn.model.losses import DEFAULT_REDUCTION, LOSSES, class_index, predict
from anneal_binn.problem import Problem

# elements of one (configurations x samples) chunk of the fast evaluation (float64: 64 MiB)
CHUNK_ELEMENTS = 2**23


@dataclass(frozen=True)
class RestrictedRegister:
    """The roles of a restriction's variables: the parent's roles of its free bits, in order."""

    roles: tuple
    parent_index: np.ndarray

    @property
    def num_variables(self) -> int:
        return len(self.roles)

    def count(self, kind: str) -> int:
        return sum(r.kind == kind for r in self.roles)

    def describe(self) -> list[str]:
        return [f"{i:>3}  {r.kind:<10} {r.label}  (bit {int(b)} of the parent)"
                for i, (r, b) in enumerate(zip(self.roles, self.parent_index))]


class Restriction(Problem):
    """The parent problem with only ``free`` bits variable; see the module docstring.

    Args:
        parent: the :class:`~anneal_binn.problem.Problem`.
        free: parent bit indices that stay variables (distinct); variable ``i`` is ``free[i]``.
        base: the parent's bits (length N); the values of every clamped bit.
        sparsity: optional :class:`~anneal_binn.selection.sparsity.Sparsity` term.
        name: the restriction's name (default ``"<parent>|k of N bits"``).
        prefix_cache: a dict shared between restrictions of one parent whose clamped lower layers
            agree (local selection passes one), so the layers below the free bits are computed once.
    """

    def __init__(self, parent: Problem, free, base, *, sparsity=None, name: str | None = None,
                 prefix_cache: dict | None = None):
        if isinstance(parent, Restriction):
            raise UsageError("parent", "restrict the original problem, not a restriction of it")
        free = np.asarray(list(free) if not isinstance(free, np.ndarray) else free, dtype=np.int64).ravel()
        n = parent.num_variables
        if free.size and (free.min() < 0 or free.max() >= n):
            raise UsageError("free", f"bit indices must lie in 0..{n - 1}, got {free.min()}..{free.max()}")
        if len(np.unique(free)) != len(free):
            raise UsageError("free", "bit indices must be distinct")
        self.parent = parent
        self.free = free
        self.free.setflags(write=False)
        base = parent._bits(np.asarray(base).reshape(1, -1))[0].copy()
        base.setflags(write=False)
        self.base = base
        self.sparsity = sparsity
        label = name or f"{parent.name}|{len(free)} of {n} bits"
        self.spec = dataclasses.replace(parent.spec, name=label, run={}, select={})
        self.data = parent.data
        self.arch = parent.arch
        self.network = parent.network
        self.register = RestrictedRegister(tuple(parent.register.roles[i] for i in free), free)
        self.landscape_limit = parent.landscape_limit
        self._landscape = None
        self._raw_landscape = None
        self._plans: dict = {}
        self._prefix_cache = prefix_cache if prefix_cache is not None else {}
        self._fast_layer = _fast_layer(parent, free)

    def __repr__(self) -> str:
        return f"Restriction({self.parent.name!r}, k={self.num_variables} of N={self.parent.num_variables})"

    # -- the clamped bits -------------------------------------------------------------------
    @property
    def clamped(self):
        """``(parent, free, base)`` for solvers that work on the parent's own net (the loss annealers).

        They anneal the network loss only, so a restriction with a sparsity term refuses them.
        """
        if self.sparsity is not None:
            raise UsageError("solver", "the loss annealers (loss-sa, loss-sqa, loss-replicated) anneal the network's "
                             "loss only, not a sparsity term; use a HUBO or QUBO solver (exact, hubo-sa, sa, ...) "
                             "or select without a sparsity target")
        return self.parent, self.free, self.base

    def embed(self, bits) -> np.ndarray:
        """The parent's bits (C, N) of configurations (C, k) of this restriction."""
        bits = self._bits(bits)
        out = np.repeat(self.base[None, :], len(bits), axis=0)
        out[:, self.free] = bits
        return out

    @property
    def fast(self) -> bool:
        """Whether the fast (affine, layers below computed once) evaluation applies."""
        return self._fast_layer is not None

    # -- evaluation -------------------------------------------------------------------------
    def network_losses(self, bits, split: str = "train") -> np.ndarray:
        """The masked network's loss of each configuration (C, k), without the sparsity term."""
        bits = self._bits(bits)
        if not len(bits):
            return np.empty(0)
        if self._fast_layer is None:
            return Problem.losses(self.parent, self.embed(bits), split)
        return self._plan(split).losses(bits)

    def losses(self, bits, split: str = "train") -> np.ndarray:
        """The objective of each configuration: the network loss plus the sparsity term."""
        bits = self._bits(bits)
        raw = self.network_losses(bits, split)
        if self.sparsity is None:
            return raw
        return raw + self.sparsity.term(self, bits)

    def accuracy(self, bits, split: str = "train") -> np.ndarray:
        bits = self._bits(bits)
        if self._fast_layer is None:
            return self.parent.accuracy(self.embed(bits), split)
        return self._plan(split).accuracy(bits)

    def _plan(self, split: str) -> "_FastPlan":
        if split not in self._plans:
            X, y = self.parent._split(split)
            self._plans[split] = _FastPlan(self, X, y, split)
        return self._plans[split]

    # -- exact ------------------------------------------------------------------------------
    def raw_landscape(self, limit: int | None = None) -> np.ndarray:
        """Network loss of all 2^k configurations (bit i of the index = variable i), cached."""
        if self._raw_landscape is None:
            k = self.num_variables
            lim = self.landscape_limit if limit is None else limit
            if k > lim:
                raise TooLargeError(
                    f"landscape: 2^{k} configurations of {self.name!r} ({k} bits) exceed the limit of {lim} bits; "
                    f"use smaller subproblems (block_size) or a solver that needs no enumeration (loss-sa)")
            if self._fast_layer is not None:
                values = self._plan("train").landscape()
            else:
                values = np.empty(2**k)
                step = 2**12  # the parent's forward pass chunks its own memory; this bounds the bits array
                for s in range(0, 2**k, step):
                    idx = np.arange(s, min(2**k, s + step))
                    values[idx] = Problem.losses(self.parent, self.embed(index_to_bits(idx, k)))
            values.setflags(write=False)
            self._raw_landscape = values
        return self._raw_landscape

    def landscape(self, limit: int | None = None, fast: bool = True) -> np.ndarray:
        """Objective of all 2^k configurations (loss + sparsity term), cached; refuses past ``limit`` bits."""
        if self._landscape is None or not fast:
            values = self.raw_landscape(limit)
            if self.sparsity is not None:
                k = self.num_variables
                values = values.copy()
                for s in range(0, 2**k, 2**20):
                    idx = np.arange(s, min(2**k, s + 2**20))
                    values[idx] += self.sparsity.term(self, index_to_bits(idx, k))
                values.setflags(write=False)
            if not fast:
                return values
            self._landscape = values
        return self._landscape

    # -- formulations -----------------------------------------------------------------------
    def to_hubo(self, method: str = "fourier", vartype="BINARY", **options):
        """The objective as a HUBO over variables 0..k-1: exact (``fourier``, from the landscape) only."""
        if method != "fourier":
            raise UsageError("hubo.method", f"a restricted problem has the exact 'fourier' HUBO only (from its "
                             f"landscape, k <= {self.landscape_limit}), not {method!r}")
        return super().to_hubo("fourier", vartype, **options)

    def to_qubo(self, method: str = "fourier", reduction: str = "auto", **options):
        """``(bqm, record)``: ``"fourier"`` reduces the exact HUBO; ``"readout"`` builds the direct
        least-squares QUBO of a linear readout (:func:`anneal_binn.selection.qubo.readout_qubo`)."""
        if method == "readout":
            from anneal_binn.selection.qubo import readout_qubo

            return readout_qubo(self, **options)
        if method != "fourier":
            raise UsageError("qubo.method", f"a restricted problem has the QUBO encodings 'fourier' (the reduced "
                             f"exact HUBO) and 'readout'; got {method!r}")
        from anneal_binn.reduction import reduce

        return reduce(self.to_hubo(method="fourier", **options), method=reduction)

    # -- decoding ---------------------------------------------------------------------------
    def decode(self, sample):
        """The parent's net of one configuration (mapping var -> bit, or a length-k sequence)."""
        if isinstance(sample, dict):
            bits = np.array([[sample[v] for v in self.variables]])
        else:
            bits = np.atleast_2d(np.asarray(sample))
        return self.parent.decode(self.embed(bits)[0])


# ---------------------------------------------------------------------------------- fast path
def _fast_layer(parent: Problem, free: np.ndarray) -> int | None:
    """The layer T every free bit acts on affinely, or None (then the parent's forward pass is used)."""
    if not len(free):
        return None
    roles = parent.register.roles
    targets, edges, neurons = set(), set(), set()
    for v in free:
        r = roles[int(v)]
        if r.kind in ("weight", "mask"):
            targets.add(r.layer)
            if (r.unit, r.input) in edges:
                return None  # weight and mask of one edge: a product, not affine
            edges.add((r.unit, r.input))
        elif r.kind == "bias":
            targets.add(r.layer)
        elif r.kind == "neuron":
            targets.add(r.layer + 1)
            neurons.add(r.unit)
        else:
            return None  # activation and width choices rebuild layers
    if len(targets) != 1:
        return None
    if any(i in neurons for _, i in edges):
        return None
    return targets.pop()


def _activation_name(net, bits1: np.ndarray, l: int) -> str:
    layer = net.arch.layers[l]
    idx = int(choice_index(bits1, net.register.activation_index[l])[0])
    return layer.activations[min(idx, len(layer.activations) - 1)]


def _apply(name: str, z: np.ndarray, count, axis_units: int) -> np.ndarray:
    """Activation of pre-activations z (units on ``axis_units``); a sign unit with no live input gives -1."""
    if name == "softmax":
        e = np.exp(z - z.max(axis=axis_units, keepdims=True))
        return e / e.sum(axis=axis_units, keepdims=True)
    h = ACTIVATIONS[name](z)
    if count is not None and name == "sign":
        empty = np.asarray(count) == 0
        if np.any(empty):
            shape = [1] * z.ndim
            shape[axis_units] = -1
            if empty.ndim == 2:  # per configuration (C, units)
                shape[0] = empty.shape[0]
            h = np.where(empty.reshape(shape), -1.0, h)
    return h


class _FastPlan:
    """Everything of one split that does not depend on the free bits, and the affine pieces that do."""

    def __init__(self, r: Restriction, X: np.ndarray, y: np.ndarray, split: str):
        parent, net, reg = r.parent, r.parent.network, r.parent.register
        arch = parent.arch
        T = r._fast_layer
        L = len(arch.layers)
        self.T, self.L = T, L
        self.y = np.asarray(y)
        self.P = P = len(y)
        self.loss = arch.loss
        self.reduction = arch.reduction or DEFAULT_REDUCTION[arch.loss]
        base1 = r.base[None, :]
        k = len(r.free)
        # neuron bits of layer T-1 among the free bits: the "all on" reference of that layer
        roles = [reg.roles[int(v)] for v in r.free]
        on = base1.copy()
        for v, role in zip(r.free, roles):
            if role.kind == "neuron":
                on[0, v] = 1
        # input to layer T at the base (computed once per clamped lower layers)
        h_in, act_in_on, act_in, hkey = self._inputs(r, X, split, T, base1, on)
        w_eff, count = net.effective_weights(base1, T, act_in)
        w_eff = w_eff[0]
        U = w_eff.shape[0]
        bias = None if reg.bias_index[T] is None else (2.0 * base1[0, reg.bias_index[T]] - 1.0)
        z = self._preactivations(r._prefix_cache, hkey, w_eff, bias, h_in)
        self.count = None if count is None else count[0]
        # the rows that change, and each free bit's affine term on them: a mask, weight or bias bit
        # moves one unit's row (a vector over samples); a neuron bit of layer T-1 moves every row
        neuron = np.array([role.kind == "neuron" for role in roles], dtype=bool)
        rows = list(range(U)) if neuron.any() else sorted({role.unit for role in roles})
        self.rows = np.asarray(rows, dtype=np.int64)
        pos = {u: q for q, u in enumerate(rows)}
        self.neuron_j = np.flatnonzero(neuron)
        self.single_j = np.flatnonzero(~neuron)
        D1 = np.zeros((len(self.single_j), P))
        c1 = np.zeros(len(self.single_j))
        q1 = np.zeros(len(self.single_j), dtype=np.int64)
        Dn = np.zeros((len(self.neuron_j), len(rows), P))
        cn = np.zeros((len(self.neuron_j), len(rows)))
        a_on = np.ones(h_in.shape[0]) if act_in_on is None else act_in_on[0]
        midx, widx = reg.mask_index[T], reg.weight_index[T]
        for jn, j in enumerate(self.neuron_j):
            i = roles[j].unit
            m = np.ones(U) if midx is None else base1[0, midx[:, i]].astype(np.float64)
            s = 2.0 * base1[0, widx[:, i]] - 1.0
            Dn[jn] = (m * s * a_on[i])[:, None] * h_in[i][None, :]
            cn[jn] = m * a_on[i]
        for js, j in enumerate(self.single_j):
            role = roles[j]
            u = role.unit
            q1[js] = pos[u]
            if role.kind == "bias":
                D1[js] = 2.0
                continue
            i = role.input
            gate = a_on[i] if act_in is None else act_in[0, i]
            if role.kind == "mask":
                D1[js] = (2.0 * base1[0, widx[u, i]] - 1.0) * gate * h_in[i]
                c1[js] = gate
            else:  # weight
                m = 1.0 if midx is None else float(base1[0, midx[u, i]])
                D1[js] = 2.0 * m * gate * h_in[i]
        self.D1, self.c1, self.Dn, self.cn = D1, c1, Dn, cn
        self.groups = [(q, self.single_j[q1 == q], np.flatnonzero(q1 == q)) for q in np.unique(q1)]
        self.ref = r.base[r.free].astype(np.float64)
        self.zT = z
        self.act_T = _activation_name(net, base1, T)
        self.hT = None if T == L - 1 else _apply(self.act_T, z, self.count, 0)
        # the layers above T, all clamped: effective weights, biases, counts, activations at the base
        self.above = []
        active = net.active_units(base1, T)
        for l in range(T + 1, L):
            w, c = net.effective_weights(base1, l, active)
            b = None if reg.bias_index[l] is None else (2.0 * base1[0, reg.bias_index[l]] - 1.0)
            self.above.append((w[0], b, None if c is None else c[0], _activation_name(net, base1, l)))
            active = net.active_units(base1, l)
        self.out_name = self.act_T if T == L - 1 else self.above[-1][3]
        self.K = arch.layers[-1].max_width
        self._row_kernel = self._row_setup()

    @staticmethod
    def _preactivations(cache, key, w, bias, h):
        """w @ h + bias, row by row through ``cache``: a unit whose incoming weights did not change
        since an earlier restriction (local selection changes one block at a time) is not recomputed."""
        rows = cache.setdefault(("rows",) + key, {})
        z = np.empty((w.shape[0], h.shape[1]))
        todo = []
        keys = []
        for u in range(w.shape[0]):
            kk = w[u].tobytes() + (b"" if bias is None else bias[u].tobytes())
            keys.append(kk)
            hit = rows.get(kk)
            if hit is None:
                todo.append(u)
            else:
                z[u] = hit
        if todo:
            # (h^T w^T)^T: OpenBLAS is several times faster in this orientation for few units
            z[todo] = (h.T @ w[todo].T).T
            if bias is not None:
                z[todo] += bias[todo][:, None]
            if len(rows) > 4 * w.shape[0] + 64:
                rows.clear()
            for u in todo:
                rows[keys[u]] = z[u].copy()
        return z

    @staticmethod
    def _inputs(r, X, split, T, base1, on):
        """(h_in (inputs, P), active units of layer T-1 with free neuron bits on, and at the base)."""
        net = r.parent.network
        if T == 0:
            return X.T, None, None, (split, 0)
        reg = r.parent.register
        lower = np.concatenate([np.concatenate([a.ravel() for a in (
            reg.weight_index[l], reg.mask_index[l], reg.bias_index[l], reg.neuron_index[l]) if a is not None]
            + [np.asarray(reg.activation_index[l] + reg.width_index[l], dtype=np.int64)]) for l in range(T)])
        # the free neuron bits of layer T-1 are on in ``on`` and change no activation below T
        key = (split, T, on[0, lower.astype(np.int64)].tobytes())
        cache = r._prefix_cache
        if key not in cache:
            h = X.T
            active = None
            for l in range(T):
                w, count = net.effective_weights(on, l, active)
                z = w[0] @ h
                if reg.bias_index[l] is not None:
                    z = z + (2.0 * on[0, reg.bias_index[l]] - 1.0)[:, None]
                h = _apply(_activation_name(net, on, l), z, None if count is None else count[0], 0)
                active = net.active_units(on, l)
            if sum(k[0] != "rows" for k in cache) >= 8:
                cache.clear()  # bounded: a few lower-layer states at a time
            cache[key] = (h, active)
        h, act_on = cache[key]
        act_base = net.active_units(base1, T - 1)
        return h, act_on, act_base, key

    # -- generic evaluation: outputs of every configuration ---------------------------------------
    def _outputs(self, bits: np.ndarray):
        """Output pre-activations and activations (C, P, K) of configurations (C, k)."""
        delta = bits.astype(np.float64) - self.ref[None, :]
        zR = np.repeat(self.zT[self.rows][None], len(bits), axis=0)
        cR = None if self.count is None else np.repeat(self.count[self.rows][None], len(bits), axis=0)
        for q, js, rows1 in self.groups:
            zR[:, q] += delta[:, js] @ self.D1[rows1]
            if cR is not None:
                cR[:, q] += delta[:, js] @ self.c1[rows1]
        if len(self.neuron_j):
            dn = delta[:, self.neuron_j]
            zR += np.einsum("ck,krp->crp", dn, self.Dn, optimize=True)
            if cR is not None:
                cR += dn @ self.cn
        cnt = None
        if cR is not None:
            cnt = np.repeat(self.count[None], len(bits), axis=0)
            cnt[:, self.rows] = cR
        if self.T == self.L - 1:
            z = np.broadcast_to(self.zT, (len(bits),) + self.zT.shape).copy()
            z[:, self.rows] = zR
            h = _apply(self.out_name, z, cnt, 1)
            return np.swapaxes(z, 1, 2), np.swapaxes(h, 1, 2)
        hR = _apply(self.act_T, zR, None if cnt is None else cnt[:, self.rows], 1)
        w, b, c, name = self.above[0]
        zb = w @ self.hT
        if b is not None:
            zb = zb + b[:, None]
        z = zb[None] + np.einsum("ur,crp->cup", w[:, self.rows], hR - self.hT[self.rows][None], optimize=True)
        for n, (w, b, c, name) in enumerate(self.above):
            if n > 0:
                z = np.einsum("uv,cvp->cup", w, h, optimize=True)
                if b is not None:
                    z = z + b[None, :, None]
            h = _apply(name, z, c, 1)
        return np.swapaxes(z, 1, 2), np.swapaxes(h, 1, 2)

    def _chunks(self, C: int):
        per = max(1, self.P * (len(self.rows) + self.K + (0 if self.T == self.L - 1 else 2 * len(self.rows))))
        step = max(1, CHUNK_ELEMENTS // per)
        for s in range(0, C, step):
            yield slice(s, min(C, s + step))

    def losses(self, bits: np.ndarray) -> np.ndarray:
        out = np.empty(len(bits))
        if self._row_kernel is not None:
            for s in self._chunks(len(bits)):
                out[s] = self._row_losses(bits[s])
            return out
        for s in self._chunks(len(bits)):
            z, h = self._outputs(bits[s])
            per = LOSSES[self.loss](z, h, self.y, self.out_name)
            out[s] = per.sum(axis=1) if self.reduction == "sum" else per.mean(axis=1)
        return out

    def accuracy(self, bits: np.ndarray) -> np.ndarray:
        if self.P == 0:
            return np.full(len(bits), np.nan)
        out = np.empty(len(bits))
        for s in self._chunks(len(bits)):
            _, h = self._outputs(bits[s])
            out[s] = (predict(h, self.out_name) == self.y[None, :]).mean(axis=1)
        return out

    def landscape(self) -> np.ndarray:
        k = len(self.ref)
        total = 2**k
        out = np.empty(total)
        step = 2**20
        for s in range(0, total, step):
            idx = np.arange(s, min(total, s + step))
            out[idx] = self.losses(index_to_bits(idx, k))
        return out

    # -- one output unit changes under softmax-ce or bce: O(P) per configuration -------------------
    def _row_setup(self):
        if self.T != self.L - 1 or len(self.rows) != 1 or self.P == 0:
            return None
        if self.count is not None and self.out_name == "sign":
            return None  # the empty-unit rule of sign outputs: the generic path
        u = int(self.rows[0])
        D = np.zeros((len(self.ref), self.P))
        D[self.single_j] = self.D1
        D[self.neuron_j] = self.Dn[:, 0, :]
        D = np.ascontiguousarray(D)
        if self.loss == "softmax-ce" and self.out_name in ("softmax", "identity"):
            t = class_index(self.y, self.K)
            others = np.delete(self.zT, u, axis=0)
            m = others.max(axis=0)
            lo = m + np.log(np.exp(others - m).sum(axis=0))          # logsumexp of the other units
            zy = self.zT[t, np.arange(self.P)]                        # target logit when it is not u
            is_u = (t == u).astype(np.float64)
            return 0, lo, np.where(t == u, 0.0, zy), is_u, D
        if self.loss == "bce" and self.K == 1:
            return 1, np.zeros(self.P), np.zeros(self.P), (self.y > 0).astype(np.float64), D
        return None

    def _row_losses(self, bits: np.ndarray) -> np.ndarray:
        kind, lo, zy, is_u, D = self._row_kernel
        u = int(self.rows[0])
        zb = self.zT[u] - self.ref @ D
        total = _row_kernel_sum(np.ascontiguousarray(bits, dtype=np.uint8), zb, D, kind, lo, zy, is_u)
        return total if self.reduction == "sum" else total / self.P


def _row_losses_numpy(bits, zb, D, kind, lo, zy, is_u):
    z = zb[None, :] + bits.astype(np.float64) @ D
    if kind == 0:  # softmax-ce: logaddexp(others, z) - target logit
        m = np.maximum(lo[None, :], z)
        per = m + np.log1p(np.exp(-np.abs(lo[None, :] - z))) - (is_u * z + zy)
    else:  # bce from the logit
        per = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - is_u * z
    return per.sum(axis=1)


try:  # pragma: no cover - exercised where numba is installed (extra "fast")
    import numba as _nb

    @_nb.njit(cache=True, parallel=True, fastmath=False)
    def _row_losses_numba(bits, zb, D, kind, lo, zy, is_u):
        C, k = bits.shape
        P = zb.shape[0]
        out = np.empty(C)
        for c in _nb.prange(C):
            z = zb.copy()
            for j in range(k):
                if bits[c, j]:
                    for p in range(P):
                        z[p] += D[j, p]
            acc = 0.0
            for p in range(P):
                zz = z[p]
                if kind == 0:
                    a = lo[p]
                    m = a if a > zz else zz
                    acc += m + math.log1p(math.exp(-abs(a - zz))) - (is_u[p] * zz + zy[p])
                else:
                    acc += (zz if zz > 0.0 else 0.0) + math.log1p(math.exp(-abs(zz))) - is_u[p] * zz
            out[c] = acc
        return out

    def _row_kernel_sum(bits, zb, D, kind, lo, zy, is_u):
        if len(bits) < 64:
            return _row_losses_numpy(bits, zb, D, kind, lo, zy, is_u)
        return _row_losses_numba(bits, zb, D, kind, lo, zy, is_u)
except ImportError:  # pragma: no cover
    _row_kernel_sum = _row_losses_numpy
