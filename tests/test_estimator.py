"""BinaryNetClassifier: scikit-learn's estimator checks, labels, spec route, errors, Pipeline and GridSearchCV."""
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import anneal_binn as ab
from anneal_binn import BinaryNetClassifier

# Three configurations cover every code path scikit-learn checks: the default sign net (no
# predict_proba), a sigmoid perceptron (predict_proba from one unit, or K normalized units for
# multi-class) and a softmax perceptron (predict_proba from softmax).
CHECKED = [
    BinaryNetClassifier(),
    BinaryNetClassifier(hidden_layer_sizes=(), output_activation="sigmoid"),
    BinaryNetClassifier(hidden_layer_sizes=(), output_activation="softmax"),
]


# Every configuration passes every check (check_classifiers_train's accuracy bar included), so
# nothing is excluded on grounds of binary weights.
@parametrize_with_checks(CHECKED)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def _blobs(k=2, n=60, seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]])[:k]
    y = np.repeat(np.arange(k), n // k)
    return centers[y] + 0.5 * rng.standard_normal((len(y), 2)), y


def test_labels_of_any_type_map_to_the_nets_terms_and_back():
    X, y = _blobs()
    names = np.array(["cat", "dog"])[y]
    clf = BinaryNetClassifier(random_state=0).fit(X, names)
    assert clf.classes_.tolist() == ["cat", "dog"]
    assert clf.score(X, names) == 1.0
    X3, y3 = _blobs(3, 90)
    clf3 = BinaryNetClassifier(random_state=0).fit(X3, y3 + 10)
    assert clf3.classes_.tolist() == [10, 11, 12]
    assert set(clf3.predict(X3)) <= {10, 11, 12} and clf3.score(X3, y3 + 10) > 0.9
    assert clf3.net_.layers[-1].weights.shape[0] == 3  # one output unit per class


def test_learned_state_and_determinism():
    X, y = _blobs()
    a = BinaryNetClassifier(random_state=3).fit(X, y)
    b = BinaryNetClassifier(random_state=3).fit(X, y)
    assert np.array_equal(a.bits_, b.bits_) and np.array_equal(a.sampleset_.record.sample, b.sampleset_.record.sample)
    assert a.seed_ == 3 and a.solver_ == "loss-sa" and len(a.sampleset_) == 4
    assert a.n_features_in_ == 2 and a.loss_ == 0.0
    assert [layer.weights.shape for layer in a.net_.layers] == [(4, 2), (1, 4)]
    assert a.sampleset_.info["num_sweeps"] == 200  # the estimator's fast default for loss annealers
    restored = pickle.loads(pickle.dumps(a))
    assert np.array_equal(restored.predict(X), a.predict(X))


def test_predict_proba_only_where_the_output_has_probabilities():
    X, y = _blobs()
    assert not hasattr(BinaryNetClassifier(), "predict_proba")
    assert not hasattr(BinaryNetClassifier(random_state=0).fit(X, y), "predict_proba")
    clf = BinaryNetClassifier(output_activation="sigmoid", random_state=0).fit(X, y)
    p = clf.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(axis=1), 1.0)
    assert np.array_equal(clf.classes_[p.argmax(axis=1)], clf.predict(X))
    assert clf.spec_.model["loss"] == "bce"


def test_softmax_output_on_three_classes():
    X, y = _blobs(3, 90)
    clf = BinaryNetClassifier(hidden_layer_sizes=(), output_activation="softmax", random_state=0).fit(X, y)
    p = clf.predict_proba(X)
    assert p.shape == (90, 3) and np.allclose(p.sum(axis=1), 1.0)
    assert np.array_equal(p.argmax(axis=1), clf.predict(X)) and clf.score(X, y) > 0.9
    assert clf.spec_.model["loss"] == "softmax-ce"


def test_the_architecture_can_come_from_a_spec():
    X, y = load_digits(return_X_y=True)
    keep = y < 2
    X4 = X[keep].reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4)).reshape(-1, 16) / 16.0
    clf = BinaryNetClassifier(spec="digits4x4-logistic", solver="exact")  # 17 bits: enumerate them
    assert hasattr(clf, "predict_proba")  # the spec's output is a sigmoid
    clf.fit(X4, y[keep])
    assert clf.spec_.model["loss"] == "bce" and clf.spec_.data["source"] == "arrays"
    assert clf.net_.layers[0].weights.shape == (1, 16) and clf.score(X4, y[keep]) > 0.9
    # a dict spec with no [data] at all, and a Spec object, work the same way
    model = {"loss": "zero-one", "hidden": [{"width": 2}], "output": {"activation": "sign"}}
    Xf, yf = _blobs()
    for spec in ({"model": model}, ab.spec_from_dict({"data": {"source": "x"}, "model": model})):
        assert BinaryNetClassifier(spec=spec, random_state=0).fit(Xf, yf).net_.layers[0].weights.shape == (2, 2)


@pytest.mark.parametrize("params,field", [
    ({"solver": "nope"}, "solver"),
    ({"solver": "ste", "num_sweeps": 10}, "num_sweeps"),
    ({"num_sweeps": 0}, "num_sweeps"),
    ({"num_reads": 0}, "num_reads"),
    ({"hidden_layer_sizes": (4, 0)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": "wide"}, "hidden_layer_sizes"),
    ({"output_activation": "max"}, "output_activation"),
    ({"bias": "yes"}, "bias"),
    ({"random_state": -1}, "random_state"),
    ({"solver_params": {"seed": 1}}, "solver_params"),
    ({"solver_params": [1]}, "solver_params"),
    ({"spec": "fawaz-p1", "hidden_layer_sizes": (2,)}, "hidden_layer_sizes"),
    ({"spec": 7}, "spec"),
    ({"loss": "hinge"}, "model.loss"),
])
def test_bad_parameters_raise_value_errors_naming_them(params, field):
    X, y = _blobs()
    with pytest.raises(ValueError, match=f"^{field}:"):
        BinaryNetClassifier(**params).fit(X, y)


def test_solver_parameters_reach_the_solver():
    X, y = _blobs()
    clf = BinaryNetClassifier(solver="loss-sqa", num_sweeps=30, num_reads=2, random_state=0).fit(X, y)
    assert clf.sampleset_.info["num_sweeps"] == 30 and len(clf.sampleset_) == 2
    ste = BinaryNetClassifier(solver="ste", solver_params={"epochs": 5}, random_state=0).fit(X, y)
    assert ste.solver_ == "ste" and ste.score(X, y) > 0.9
    assert clone(ste).get_params()["solver_params"] == {"epochs": 5}


def test_grid_search_over_solver_and_width_on_digits():
    """The README's notebook cell: GridSearchCV over the solver and the hidden width, in a Pipeline."""
    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, [3, 8])
    X = X[keep].reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4)).reshape(-1, 16)  # 8x8 -> 4x4 block means
    pipe = make_pipeline(StandardScaler(), BinaryNetClassifier(random_state=0))
    grid = {"binarynetclassifier__solver": ["loss-sa", "ste"],
            "binarynetclassifier__hidden_layer_sizes": [(2,), (4,), (8,)]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y[keep])
    # here the best is the STE net of width 2 at 0.938 (README); any cell of the grid clears 0.85
    assert search.best_params_["binarynetclassifier__solver"] in ("loss-sa", "ste")
    assert search.best_score_ > 0.9 and len(search.cv_results_["params"]) == 6
    assert np.all(search.cv_results_["mean_test_score"] > 0.85)
