"""Binary-perceptron patterns: sizes, rounding, labels, teacher consistency, seeding, errors."""
import numpy as np
import pytest

from anneal_binn.data import load_dataset
from anneal_binn.data.perceptron import num_patterns
from anneal_binn.errors import SpecError


def _load(seed=0, **kw):
    return load_dataset({"source": "perceptron", **kw}, seed=seed)


def test_sizes_round_half_up():
    assert num_patterns(101, 0.5) == 51  # 50.5 rounds up (not to even)
    ds = _load(n=101, alpha=0.5)
    assert ds.x_train.shape == (51, 101) and ds.meta["p"] == 51
    assert _load(n=20, alpha=0.83).x_train.shape == (17, 20)  # 16.6 -> 17
    assert _load(n=10, alpha=0.25).x_train.shape == (3, 10)  # 2.5 -> 3


def test_random_labels_test_set_is_training_set():
    ds = _load(n=31, alpha=0.7)
    assert set(np.unique(ds.x_train).tolist()) == {-1.0, 1.0}
    assert set(ds.y_train.tolist()) == {-1, 1}
    assert np.array_equal(ds.x_test, ds.x_train) and np.array_equal(ds.y_test, ds.y_train)


def test_random_patterns_are_balanced():
    ds = _load(n=201, alpha=5.0)  # 1005 x 201 entries
    assert abs(ds.x_train.mean()) < 4 / np.sqrt(ds.x_train.size)
    assert abs(ds.y_train.mean()) < 4 / np.sqrt(len(ds.y_train))


def test_teacher_labels_are_realizable_and_test_uses_same_teacher():
    ds = _load(n=15, alpha=2.0, labels="teacher", n_test=300)
    teacher = np.array(ds.meta["teacher"])
    assert set(teacher.tolist()) <= {-1, 1} and len(teacher) == 15
    assert ds.x_train.shape == (30, 15) and ds.x_test.shape == (300, 15)
    assert np.array_equal(ds.y_train, np.sign(ds.x_train @ teacher))  # odd N: no zero fields
    assert np.array_equal(ds.y_test, np.sign(ds.x_test @ teacher))
    assert not np.array_equal(ds.x_test[:30], ds.x_train)


def test_seed_determinism():
    a, b, c = (_load(seed=s, n=21, labels="teacher") for s in (4, 4, 5))
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert a.meta["teacher"] == b.meta["teacher"]
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize(
    "cfg, field",
    [
        ({"n": 0}, "data.n"),
        ({"n": "ten"}, "data.n"),
        ({"alpha": -0.1}, "data.alpha"),
        ({"n": 3, "alpha": 0.1}, "data.alpha"),  # rounds to 0 patterns
        ({"labels": "noisy"}, "data.labels"),
        ({"n_test": 10}, "data.n_test"),  # random labels: test set is the training set
        ({"labels": "teacher", "n_test": 0}, "data.n_test"),
        ({"p": 5}, "data.p"),
    ],
)
def test_malformed_keys_name_the_field(cfg, field):
    with pytest.raises(SpecError) as info:
        _load(**cfg)
    assert info.value.field == field
