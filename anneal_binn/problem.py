"""A BiNN training problem: model + data + loss + bit register, and everything derived from it.

Examples:
    >>> import anneal_binn as ab
    >>> problem = ab.build(ab.load_spec("fawaz-p1"))
    >>> problem.num_variables, problem.register.roles[0].label
    (8, 'W0[0,0]')
    >>> hubo = problem.to_hubo(method="fourier")
    >>> type(hubo).__name__
    'BinaryPolynomial'
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

import dimod
import numpy as np

from anneal_binn import landscape as _landscape
from anneal_binn.data import Dataset, load_dataset
from anneal_binn.errors import SpecError, TooLargeError, UsageError
from anneal_binn.model.architecture import Architecture, Layer, choice_index, index_to_bits
from anneal_binn.model.network import Network
from anneal_binn.report import Accuracy, Best, LayerParams, Net, Report
from anneal_binn.spec import Spec, spec_from_dict

# to_hubo(method=...) for methods implemented outside this module: "module:function(problem, **options)"
HUBO_METHODS: dict[str, str] = {
    "symbolic": "anneal_binn.formulation.symbolic:to_hubo",
    "auxiliary": "anneal_binn.formulation.auxiliary:to_hubo",
}
# to_qubo(method=...) for QUBOs built directly (not by reducing a HUBO): "module:function(problem, **options)"
QUBO_METHODS: dict[str, str] = {
    "auxiliary": "anneal_binn.formulation.auxiliary:to_qubo",
    # QPU-sized encodings of a sign unit (formulation/encodings.py): N variables, or N + 8P with slack
    "unbalanced": "anneal_binn.formulation.encodings:unbalanced",
    "slack-bounded": "anneal_binn.formulation.encodings:slack_bounded",
    "margin": "anneal_binn.formulation.encodings:margin",
}

LOSS_CHUNK_BYTES = 64 * 2**20
# Every bit gets a Role object in the register (~200 bytes): refuse models beyond this before building it.
MAX_VARIABLES = 2_000_000


@dataclass(frozen=True)
class ExactSummary:
    """Exact optimum of the landscape: value, multiplicity and the optimal configuration indices."""

    optimum: float
    num_optima: int
    optima: np.ndarray


def _architecture(spec: Spec, data: Dataset) -> Architecture:
    m = spec.model
    layers = [
        Layer(tuple(h["width"]), h["bias"], tuple(h["activation"]), h["mask"], h["neuron_mask"])
        for h in m["hidden"]
    ]
    out = m["output"]
    if "width" in out:
        width = out["width"][0]
    else:
        width = data.num_classes if (m["loss"] == "softmax-ce" or data.num_classes > 2) else 1
    if width == 1 and data.num_classes > 2:
        raise SpecError("model.output.width", f"the data has {data.num_classes} classes; give the output "
                        f"{data.num_classes} units (softmax-ce, mse or zero-one with argmax) or select two classes in [data]")
    if width > 1 and width != data.num_classes:
        raise SpecError("model.output.width", f"must equal the number of classes ({data.num_classes}), got {width}")
    if width > 1 and m["loss"] == "bce":
        raise SpecError("model.loss", f"bce needs a single output unit; use softmax-ce for {width} classes")
    if m["loss"] == "softmax-ce" and width < 2:
        raise SpecError("model.loss", "softmax-ce needs at least 2 output units; use bce for binary tasks")
    layers.append(Layer((width,), out["bias"], tuple(out["activation"]), out["mask"], False))
    if data.num_features < 1:
        raise SpecError("data", "the data set has no input features")
    arch = Architecture(data.num_features, tuple(layers), m["loss"], m["reduction"])
    n = arch.num_variables
    if n > MAX_VARIABLES:
        raise TooLargeError(
            f"model: {n:,} binary variables ({data.num_features} inputs, widths "
            f"{[layer.max_width for layer in layers]}) would need about {n * 200 / 2**30:,.1f} GiB for the bit "
            f"register alone; the limit is {MAX_VARIABLES:,}: use smaller widths")
    return arch


class Problem:
    """Everything about one BiNN training problem; see the module docstring."""

    def __init__(self, spec: Spec, data: Dataset):
        self.spec = spec
        self.data = data
        self.arch = _architecture(spec, data)
        self.network = Network(self.arch)
        self.register = self.network.register
        self.landscape_limit = int(spec.run.get("landscape_limit", _landscape.DEFAULT_LIMIT))
        self._landscape: np.ndarray | None = None

    # -- basics ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def num_variables(self) -> int:
        return self.register.num_variables

    @property
    def variables(self) -> list[int]:
        return list(range(self.num_variables))

    def __repr__(self) -> str:
        return f"Problem({self.name!r}, N={self.num_variables}, P={len(self.data.y_train)})"

    def _chunks(self, num: int, P: int):
        per = 8 * max(P, 1) * max(sum(l.max_width for l in self.arch.layers), 1) * 4
        step = max(1, LOSS_CHUNK_BYTES // per)
        for c0 in range(0, num, step):
            yield slice(c0, min(num, c0 + step))

    def _bits(self, bits) -> np.ndarray:
        bits = np.atleast_2d(np.asarray(bits))
        if bits.shape[1] != self.num_variables:
            raise ValueError(f"bits: expected {self.num_variables} columns (one per variable), got {bits.shape[1]}")
        if bits.size and (bits.min() < 0 or bits.max() > 1):
            raise ValueError("bits: values must be 0 or 1 (use (s + 1) // 2 to convert spins)")
        return bits.astype(np.uint8)

    def losses(self, bits, split: str = "train") -> np.ndarray:
        """True loss of each configuration: ``bits`` (C, N) of 0/1 → (C,)."""
        bits = self._bits(bits)
        X, y = self._split(split)
        out = np.empty(len(bits))
        for s in self._chunks(len(bits), len(y)):
            out[s] = self.network.losses(bits[s], X, y)
        return out

    def accuracy(self, bits, split: str = "train") -> np.ndarray:
        """Classification accuracy of each configuration on ``split`` ("train" or "test")."""
        bits = self._bits(bits)
        X, y = self._split(split)
        out = np.empty(len(bits))
        for s in self._chunks(len(bits), len(y)):
            out[s] = self.network.accuracy(bits[s], X, y)
        return out

    def _split(self, split: str):
        if split == "train":
            return self.data.x_train, self.data.y_train
        if split == "test":
            return self.data.x_test, self.data.y_test
        raise ValueError(f"split: must be 'train' or 'test', got {split!r}")

    # -- exact ----------------------------------------------------------------------------
    def landscape(self, limit: int | None = None, fast: bool = True) -> np.ndarray:
        """Loss of all 2^N configurations (bit i of the index = variable i), cached.

        Refuses with a :class:`~anneal_binn.errors.TooLargeError` beyond ``limit`` (default 26,
        or the spec's ``run.landscape_limit``) before allocating anything.
        """
        if self._landscape is None or not fast:
            values = _landscape.compute(
                self.network, self.data.x_train, self.data.y_train,
                limit=self.landscape_limit if limit is None else limit, fast=fast,
            )
            if not fast:
                return values
            self._landscape = values
            self._landscape.setflags(write=False)
        return self._landscape

    def exact(self, rtol: float = 1e-12) -> ExactSummary:
        """Exact optimum and optimal configurations (from the landscape)."""
        L = self.landscape()
        best = float(L.min())
        optima = np.flatnonzero(L <= best + rtol * max(1.0, abs(best)))
        return ExactSummary(best, len(optima), optima)

    def spectrum(self) -> np.ndarray:
        """W(S), S = 0..N: the Fourier weight of each interaction order (seed 002 Eq. 9)."""
        return _landscape.walsh_spectrum(self.landscape())

    # -- formulations ---------------------------------------------------------------------
    def fourier(self, max_degree: int | None = None, threshold: float | None = None, vartype="BINARY",
                rtol: float = _landscape.DEFAULT_RTOL):
        """Truncated Fourier HUBO and its :class:`~anneal_binn.landscape.Truncation` report.

        ``rtol`` drops round-off terms whose magnitudes add up to at most ``rtol * max|L|`` (the
        report bounds the error it causes); ``rtol=0`` keeps every term.
        """
        return _landscape.truncate(self.landscape(), max_degree, threshold, vartype, rtol=rtol)

    def to_hubo(self, method: str = "fourier", vartype="BINARY", **options) -> dimod.BinaryPolynomial:
        """The training loss as a higher-order binary polynomial over variables 0..N-1.

        Args:
            method: ``"fourier"`` (exact by enumeration + Walsh–Hadamard; N <= 26), or a method
                registered in :data:`HUBO_METHODS` (``"symbolic"``, ``"auxiliary"``).
            vartype: ``"BINARY"`` (x in {0,1}) or ``"SPIN"`` (s = 2x - 1 = the weight value).
            **options: for fourier, ``max_degree`` and/or ``threshold`` truncate it.
        """
        if method == "fourier":
            unknown = set(options) - {"max_degree", "threshold", "rtol"}
            if unknown:
                raise UsageError("hubo", f"unknown options {sorted(unknown)} for method 'fourier'; use max_degree, "
                                         f"threshold, rtol")
            rtol = options.get("rtol", _landscape.DEFAULT_RTOL)
            if options.get("max_degree") is None and options.get("threshold") is None:
                return _landscape.hubo_from_landscape(self.landscape(), vartype, rtol=rtol)
            return self.fourier(options.get("max_degree"), options.get("threshold"), vartype, rtol=rtol)[0]
        if method not in HUBO_METHODS:
            raise UsageError("hubo.method", f"unknown HUBO method {method!r}; choose fourier or {', '.join(sorted(HUBO_METHODS))}")
        module_name, func = HUBO_METHODS[method].split(":")
        return getattr(importlib.import_module(module_name), func)(self, vartype=vartype, **options)

    def to_qubo(self, method: str = "auxiliary", reduction: str = "auto", **options):
        """The training loss as a QUBO and the record that maps its answers back.

        Args:
            method: ``"auxiliary"`` builds the exact auxiliary-neuron QUBO of a sign net directly
                (returns its :class:`~anneal_binn.formulation.auxiliary.AuxiliaryRecord`);
                ``"unbalanced"``, ``"slack-bounded"`` and ``"margin"`` build QPU-sized QUBOs of a
                sign perceptron (:mod:`anneal_binn.formulation.encodings`, with an ``EncodingRecord``); any
                HUBO method (``"fourier"``, ``"symbolic"``) is built and reduced with
                ``ab.reduce(method=reduction)`` (returns the ``Reduction`` record).
            **options: passed to the formulation.

        Returns:
            ``(dimod.BinaryQuadraticModel, record)``.
        """
        if method in QUBO_METHODS:
            module_name, func = QUBO_METHODS[method].split(":")
            return getattr(importlib.import_module(module_name), func)(self, **options)
        if method != "fourier" and method not in HUBO_METHODS:
            raise UsageError("qubo.method", f"unknown QUBO method {method!r}; choose one of "
                             f"{', '.join(sorted(set(QUBO_METHODS) | set(HUBO_METHODS) | {'fourier'}))}")
        from anneal_binn.reduction import reduce

        return reduce(self.to_hubo(method=method, **options), method=reduction)

    # -- decoding and evaluation ----------------------------------------------------------
    def sample_bits(self, sampleset: dimod.SampleSet) -> np.ndarray:
        """Rows of a sample set as (S, N) bits in variable order 0..N-1 (SPIN samples converted)."""
        missing = [v for v in self.variables if v not in sampleset.variables]
        if missing:
            raise ValueError(f"sampleset: lacks problem variables {missing[:5]}{'...' if len(missing) > 5 else ''}")
        cols = [sampleset.variables.index(v) for v in self.variables]
        rec = np.asarray(sampleset.record.sample)[:, cols]
        if sampleset.vartype is dimod.SPIN:
            rec = (rec + 1) // 2
        return rec.astype(np.uint8)

    def decode(self, sample) -> Net:
        """The BiNN encoded by one configuration (mapping var→bit, or a length-N 0/1 sequence)."""
        if isinstance(sample, dict):
            bits = np.array([[sample[v] for v in self.variables]])
        else:
            bits = np.atleast_2d(np.asarray(sample))
        bits = self._bits(bits)
        reg, net = self.register, self.network
        layers = []
        active_in = None
        for l, layer in enumerate(self.arch.layers):
            w, _ = net.effective_weights(bits, l, active_in)
            active = net.active_units(bits, l)
            act_names = layer.activations
            a = act_names[min(int(choice_index(bits, reg.activation_index[l])[0]), len(act_names) - 1)]
            wi = layer.widths[min(int(choice_index(bits, reg.width_index[l])[0]), len(layer.widths) - 1)]
            units = tuple(range(layer.max_width)) if active is None else tuple(int(u) for u in np.flatnonzero(active[0]))
            layers.append(LayerParams(
                weights=w[0].astype(int),
                bias=None if reg.bias_index[l] is None else (2 * bits[0, reg.bias_index[l]].astype(int) - 1),
                activation=a, width=len(units) if reg.neuron_index[l] is not None else wi, active_units=units,
                mask=None if reg.mask_index[l] is None else bits[0, reg.mask_index[l]].astype(int),
            ))
            active_in = active
        return Net(tuple(layers))

    def evaluate(self, sampleset: dimod.SampleSet, exact: bool | str = "auto") -> Report:
        """Decode every row and compute its true loss and accuracies; see :class:`Report`.

        Args:
            exact: compute the exact optimum for the gap: True, False, or "auto" (when the
                landscape is cached or N <= 20).
        """
        bits = self.sample_bits(sampleset)
        if len(bits) == 0:
            raise ValueError("sampleset: has no rows to evaluate")
        losses = self.losses(bits)
        acc_tr = self.accuracy(bits, "train")
        acc_te = self.accuracy(bits, "test")
        b = int(np.argmin(losses))
        best = Best(
            loss=float(losses[b]),
            accuracy=Accuracy(float(acc_tr[b]), float(acc_te[b])),
            sample={v: int(bits[b, v]) for v in self.variables},
            row=b,
            net=self.decode(bits[b]),
        )
        use_exact = exact is True or (exact == "auto" and (self._landscape is not None or self.num_variables <= 20))
        optimum = num = gap = None
        if use_exact and self.num_variables <= self.landscape_limit:
            ex = self.exact()
            optimum, num = ex.optimum, ex.num_optima
            gap = float(best.loss - optimum)
        return Report(losses, acc_tr, acc_te, best, optimum, num, gap,
                      weights=np.asarray(sampleset.record.num_occurrences))


def build(spec: Spec) -> Problem:
    """Build the :class:`Problem` of a spec (loads its data)."""
    return Problem(spec, load_dataset(spec.data, seed=spec.seed))


def build_from_dict(raw: dict) -> Problem:
    """Build a problem from a spec given as a dict.

    Examples:
        >>> p = build_from_dict({"data": {"source": "fawaz", "problem": 2},
        ...     "model": {"hidden": [{"width": 2}], "output": {"activation": "sign"}}})
        >>> p.num_variables
        8
    """
    return build(spec_from_dict(raw))
