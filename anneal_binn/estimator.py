"""A scikit-learn classifier that trains a binary neural network with the package's solvers.

:class:`BinaryNetClassifier` builds a :class:`~anneal_binn.problem.Problem` from the arrays given
to ``fit`` (the architecture from keyword arguments or a spec), solves it with any registered
solver through :class:`~anneal_binn.pipeline.Pipeline`, and keeps the best decoded net. It is an
ordinary estimator: ``get_params``/``set_params``, ``clone``, ``sklearn.pipeline.Pipeline`` and
``GridSearchCV`` all work, and it passes ``check_estimator`` (see ``tests/test_estimator.py`` for
the few checks that cannot apply to a net whose weights are ±1).

Inputs are used as given (the data sets of the package hold real pixel values too); a sign unit
does not care about the scale of its inputs but a ±1 bias does, so put a ``StandardScaler``
first when the features are far from unit scale.

Examples:
    >>> import numpy as np
    >>> from anneal_binn import BinaryNetClassifier
    >>> X = np.array([[-1., -1.], [-1., 1.], [1., -1.], [1., 1.]]); y = np.array(["no", "no", "no", "yes"])
    >>> clf = BinaryNetClassifier(hidden_layer_sizes=(), random_state=0).fit(X, y)  # AND: one sign unit
    >>> clf.predict(X).tolist(), clf.score(X, y)
    (['no', 'no', 'no', 'yes'], 1.0)
    >>> clf.classes_.tolist(), clf.n_features_in_, clf.net_.layers[0].weights.tolist()
    (['no', 'yes'], 2, [[1, 1]])
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - older scikit-learn: the same thing as a method
    def _validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)

from anneal_binn.errors import UsageError

# Sweeps per read when the solver takes ``num_sweeps`` and none is given: the loss annealers'
# own default (1000) is tuned for the catalogue; an estimator is fitted many times over (cross
# validation, grid search, check_estimator), and 200 sweeps already settle small nets.
DEFAULT_SWEEPS = 200
DEFAULT_HIDDEN = (4,)
# The loss that goes with each output activation when ``loss`` is None (binary, multi-class).
AUTO_LOSS = {
    "sign": ("zero-one", "zero-one"),
    "sigmoid": ("bce", "mse"),
    "softmax": ("softmax-ce", "softmax-ce"),
    "tanh": ("mse", "mse"),
    "identity": ("mse", "mse"),
    "relu": ("mse", "mse"),
}
# Output activations whose values are probabilities (sigmoid units, normalized; softmax).
PROBA_OUTPUTS = ("sigmoid", "softmax")
ARCH_PARAMS = ("hidden_layer_sizes", "activation", "bias", "output_activation", "loss")


def _load_spec_dict(spec) -> dict:
    """The spec as a plain dict: from a Spec, a dict, a catalogue name or a TOML path."""
    from anneal_binn.spec import Spec, load_spec, spec_from_dict

    if isinstance(spec, Spec):
        return spec.to_dict()
    if isinstance(spec, dict):
        # validate now (with a placeholder [data]) so a bad table is reported as such
        raw = dict(spec)
        raw.setdefault("data", {"source": "arrays"})
        return spec_from_dict(raw).to_dict()
    if isinstance(spec, (str, Path)):
        return load_spec(spec).to_dict()
    raise UsageError("spec", f"must be a Spec, a dict, a catalogue name or a TOML path, got {type(spec).__name__}")


class BinaryNetClassifier(ClassifierMixin, BaseEstimator):
    """A binary neural network (±1 weights and biases) trained by annealing, as a scikit-learn classifier.

    Every parameter left at None takes the default shown, or the spec's value when ``spec`` is given.

    Args:
        hidden_layer_sizes: widths of the hidden layers, e.g. ``(8,)`` or ``(8, 4)``; ``()`` is a
            single-layer perceptron. Default ``(4,)``.
        activation: activation of the hidden units (``"sign"``, ``"tanh"``, ``"relu"``,
            ``"sigmoid"``, ``"identity"``). Default ``"sign"``.
        bias: whether every layer has a ±1 bias per unit. Default True.
        output_activation: ``"sign"`` (default), ``"sigmoid"`` or ``"softmax"`` (these two give
            :meth:`predict_proba`), ``"tanh"``, ``"identity"``.
        loss: ``"zero-one"``, ``"mse"``, ``"bce"`` or ``"softmax-ce"``. Default: the one that goes
            with the output (zero-one for sign, bce for a binary sigmoid, softmax-ce for softmax,
            mse otherwise).
        spec: the architecture as a spec instead of the five keywords above: a catalogue name,
            a TOML path, a dict or a :class:`~anneal_binn.spec.Spec`. Its ``[data]`` table is
            replaced by the arrays given to ``fit``; its ``[run]`` table (route, solver
            parameters) applies as in ``ab.run``. Giving both a spec and any of the five
            architecture keywords is an error.
        solver: registry name (``ab.solvers.available()``). Default ``"loss-sa"``: simulated
            annealing of the net's own loss, fast for any architecture.
        num_reads: reads (restarts) of the solver; the lowest training loss wins. Default 4.
        num_sweeps: sweeps per read, for solvers that take ``num_sweeps`` (loss annealers,
            ``sa``, ``hubo-sa``...). None gives such solvers 200 (a fast default for repeated
            fitting) and the others nothing.
        solver_params: any other solver parameters, as a dict (e.g. ``{"epochs": 50}`` for ``ste``).
        random_state: int, ``RandomState`` or None; an int in [0, 2^31) is the solver's seed
            itself, so equal seeds give equal nets.

    Attributes:
        classes_: the labels seen in ``fit``, sorted; for two classes the first is the net's -1.
        n_features_in_: number of input features (``feature_names_in_`` too for named columns).
        net_: the best decoded net (:class:`~anneal_binn.report.Net`: weights, biases, choices).
        sampleset_: every read of the solver (``dimod.SampleSet``, BINARY over variables 0..N-1).
        bits_: the best configuration (N,) of 0/1 bits; ``loss_`` its training loss.
        spec_: the :class:`~anneal_binn.spec.Spec` that was solved; ``network_`` its forward pass.
        solver_: the solver used; ``seed_`` the seed it was given.
    """

    def __init__(self, hidden_layer_sizes=None, activation=None, bias=None, output_activation=None, loss=None,
                 spec=None, solver="loss-sa", num_reads=4, num_sweeps=None, solver_params=None,
                 random_state=None):
        # scikit-learn's rule: store the arguments untouched; fit validates them.
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.bias = bias
        self.output_activation = output_activation
        self.loss = loss
        self.spec = spec
        self.solver = solver
        self.num_reads = num_reads
        self.num_sweeps = num_sweeps
        self.solver_params = solver_params
        self.random_state = random_state

    # -- the spec -----------------------------------------------------------------------------
    def _hidden(self) -> tuple:
        sizes = DEFAULT_HIDDEN if self.hidden_layer_sizes is None else self.hidden_layer_sizes
        if isinstance(sizes, (int, np.integer)) and not isinstance(sizes, bool):
            sizes = (sizes,)
        try:
            sizes = tuple(sizes)
        except TypeError:
            raise UsageError("hidden_layer_sizes", f"must be a sequence of positive widths, got {sizes!r}") from None
        for w in sizes:
            if isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1:
                raise UsageError("hidden_layer_sizes", f"widths must be positive integers, got {sizes!r}")
        return tuple(int(w) for w in sizes)

    def _spec_dict(self, num_classes: int) -> dict:
        """The spec to solve, without its data (a plain dict)."""
        if self.spec is not None:
            given = [name for name in ARCH_PARAMS if getattr(self, name) is not None]
            if given:
                raise UsageError(given[0], "the architecture comes from spec=; leave the architecture "
                                           "keywords at None or drop spec")
            return _load_spec_dict(self.spec)
        out = "sign" if self.output_activation is None else self.output_activation
        if out not in AUTO_LOSS:
            raise UsageError("output_activation", f"must be one of {', '.join(AUTO_LOSS)}, got {out!r}")
        loss = AUTO_LOSS[out][num_classes > 2] if self.loss is None else self.loss
        bias = True if self.bias is None else self.bias
        if not isinstance(bias, (bool, np.bool_)):
            raise UsageError("bias", f"must be True or False, got {bias!r}")
        act = "sign" if self.activation is None else self.activation
        hidden = [{"width": w, "activation": act, "bias": bool(bias)} for w in self._hidden()]
        return {"name": "BinaryNetClassifier", "model": {
            "loss": loss, "hidden": hidden, "output": {"activation": out, "bias": bool(bias)}}}

    def _output_activations(self) -> tuple:
        """Output activation choices the unfitted estimator would train (for predict_proba's presence)."""
        if self.spec is None:
            return ("sign" if self.output_activation is None else self.output_activation,)
        act = _load_spec_dict(self.spec)["model"]["output"]["activation"]
        return tuple(act)

    def _seed(self) -> int:
        rs = self.random_state
        if isinstance(rs, (int, np.integer)) and not isinstance(rs, bool):
            if not 0 <= rs < 2**31:
                raise UsageError("random_state", f"an integer seed must be in [0, 2^31), got {rs}")
            return int(rs)
        return int(check_random_state(rs).randint(0, 2**31 - 1))

    def _pipeline(self, problem):
        from anneal_binn import solvers
        from anneal_binn.pipeline import Pipeline

        if not isinstance(self.solver, str) or self.solver not in solvers.available():
            raise UsageError("solver", f"unknown solver {self.solver!r}; "
                                       f"choose one of {', '.join(solvers.available())}")
        params = {} if self.solver_params is None else self.solver_params
        if not isinstance(params, dict):
            raise UsageError("solver_params", f"must be a dict of solver parameters, got {type(params).__name__}")
        params = dict(params)
        for reserved in ("num_reads", "seed"):
            if reserved in params:
                raise UsageError("solver_params", f"give {reserved!r} as the estimator's "
                                                  f"{'random_state' if reserved == 'seed' else reserved} instead")
        pipe = Pipeline(problem, self.solver, params=params)
        takes_sweeps = "num_sweeps" in (getattr(pipe.sampler, "parameters", None) or {})
        sweeps = self.num_sweeps
        if sweeps is not None:
            if isinstance(sweeps, bool) or not isinstance(sweeps, (int, np.integer)) or sweeps < 1:
                raise UsageError("num_sweeps", f"must be None or a positive integer, got {sweeps!r}")
            if not takes_sweeps:
                raise UsageError("num_sweeps", f"solver {self.solver!r} takes no num_sweeps; leave it None")
        elif takes_sweeps and "num_sweeps" not in params:
            sweeps = DEFAULT_SWEEPS
        if sweeps is not None and "num_sweeps" not in params:
            pipe = Pipeline(problem, self.solver, params={**params, "num_sweeps": int(sweeps)})
        return pipe

    # -- scikit-learn API ---------------------------------------------------------------------
    def fit(self, X, y):
        """Train the net on ``X`` (n_samples, n_features) and labels ``y``; returns self.

        Raises:
            ValueError: a bad parameter (the message names it), fewer than two classes, or NaN/inf in X.
        """
        from anneal_binn.data import Dataset
        from anneal_binn.problem import Problem
        from anneal_binn.spec import spec_from_dict

        X, y = _validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y: a classifier needs at least 2 classes; got {len(classes)} class ({classes.tolist()})")
        K = len(classes)
        n = self.num_reads
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise UsageError("num_reads", f"must be a positive integer, got {n!r}")
        # the package's label convention: ±1 for two classes (classes_[0] is -1), else 0..K-1
        labels = (np.where(index == 1, 1, -1) if K == 2 else index).astype(np.int64)
        raw = self._spec_dict(K)
        raw["data"] = {"source": "arrays", "num_samples": int(X.shape[0]), "num_features": int(X.shape[1])}
        spec = spec_from_dict(raw)
        data = Dataset(f"arrays ({X.shape[0]} samples, {X.shape[1]} features, {K} classes)", X, labels,
                       X[:0], labels[:0], num_classes=K, classes=tuple(classes.tolist()))
        problem = Problem(spec, data)
        seed = self._seed()
        # exact=False: the estimator needs the best net, not the enumerated optimum (2^N work)
        result = self._pipeline(problem).run(seed=seed, num_reads=int(n), exact=False)
        best = result.report.best
        self.classes_ = classes
        self.spec_ = spec
        self.network_ = problem.network
        self.bits_ = np.array([best.sample[v] for v in problem.variables], dtype=np.uint8)
        self.net_ = best.net
        self.loss_ = float(best.loss)
        self.sampleset_ = result.sampleset
        self.solver_ = result.solver
        self.seed_ = seed
        return self

    def _forward(self, X):
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False, dtype=np.float64)
        return self.network_.forward(self.bits_[None, :], X)[1][0]  # (P, K) output activations

    def predict(self, X):
        """Class labels of ``X``, in the terms of the labels given to ``fit``."""
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False, dtype=np.float64)
        pred = self.network_.predict(self.bits_[None, :], X)[0]
        return self.classes_[(pred > 0).astype(np.intp) if len(self.classes_) == 2 else pred]

    def _has_proba(self) -> bool:
        if hasattr(self, "net_"):
            return self.net_.layers[-1].activation in PROBA_OUTPUTS
        try:
            return all(a in PROBA_OUTPUTS for a in self._output_activations())
        except (ValueError, OSError):
            return False  # a bad spec: fit will say what is wrong with it

    @available_if(_has_proba)
    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes), columns in the order of ``classes_``.

        Present only when the output has probabilities: one sigmoid unit (P(classes_[1])), K
        sigmoid units (normalized to sum to 1) or softmax. A sign output has none, so the
        method is absent (``hasattr(clf, "predict_proba")`` is False), as scikit-learn does.
        The net labels an output of exactly 0.5 as ``classes_[1]`` (sign(0) = +1), while the
        argmax of ``[0.5, 0.5]`` is ``classes_[0]``: such exact ties are the only disagreement.
        """
        out = self._forward(X)
        if out.shape[1] == 1:
            p = np.clip(out[:, 0], 0.0, 1.0)
            return np.column_stack([1.0 - p, p])
        total = out.sum(axis=1, keepdims=True)
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, out / safe, 1.0 / out.shape[1])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
