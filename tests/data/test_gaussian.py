"""Seed 002's Gaussian mixture: shapes, labels, seeding, proportions, spread, malformed keys."""
import numpy as np
import pytest

from anneal_binn.data import load_dataset
from anneal_binn.data.gaussian import mixture_params, sample_mixture
from anneal_binn.errors import SpecError


def _load(seed=0, **kw):
    return load_dataset({"source": "gaussian-mixture", **kw}, seed=seed)


def test_shapes_labels_and_defaults():
    ds = _load()
    assert ds.x_train.shape == (200, 2) and ds.x_test.shape == (1000, 2)
    assert ds.y_train.dtype == np.int64 and set(ds.y_train.tolist()) == {-1, 1}
    assert ds.num_classes == 2 and ds.classes == (-1, 1)
    assert ds.meta["means"] == [[5.0, 5.0], [-5.0, 5.0], [5.0, -5.0], [-5.0, -5.0]]
    assert ds.meta["weights"] == [1 / 2, 1 / 6, 1 / 6, 1 / 6]


def test_red_is_plus_one_and_points_sit_near_their_mean():
    params = mixture_params({"source": "gaussian-mixture"})
    x, y, comp = sample_mixture(params, 4000, np.random.default_rng(3))
    assert np.array_equal(y, np.where(comp == 0, 1, -1))  # component 0 is red
    for c in range(4):
        centre = x[comp == c].mean(axis=0)
        assert np.allclose(centre, params["means"][c], atol=0.15)
        assert abs((x[comp == c] - params["means"][c]).std() - 1.0) < 0.1


def test_class_proportions_within_sampling_error():
    n = 20000
    params = mixture_params({"source": "gaussian-mixture"})
    _, _, comp = sample_mixture(params, n, np.random.default_rng(7))
    counts = np.bincount(comp, minlength=4)
    for c, p in enumerate([1 / 2, 1 / 6, 1 / 6, 1 / 6]):
        sigma = np.sqrt(n * p * (1 - p))
        assert abs(counts[c] - n * p) < 4 * sigma
    ds = _load(seed=1, n_train=5000)
    frac_red = np.mean(ds.y_train == 1)
    assert abs(frac_red - 0.5) < 4 * np.sqrt(0.25 / 5000)


def test_seed_determinism():
    a, b, c = _load(seed=5), _load(seed=5), _load(seed=6)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)


def test_test_set_independent_of_n_train_and_fixed_by_test_seed():
    small, large = _load(seed=2, n_train=5), _load(seed=2, n_train=50)
    assert np.array_equal(small.x_test, large.x_test)
    a, b = _load(seed=1, test_seed=9), _load(seed=2, test_seed=9)
    assert np.array_equal(a.x_test, b.x_test) and not np.array_equal(a.x_train, b.x_train)
    assert not np.array_equal(_load(seed=9).x_train, a.x_test[:200])


def test_spread_and_custom_parameters():
    near = _load(spread=0.3, n_train=4)
    assert near.x_train.shape == (4, 2)
    assert np.allclose(near.meta["means"][0], [1.5, 1.5])
    ds = _load(means=[[0, 0], [3, 0]], stds=[0.1, 0.2], weights=[1, 3], labels=[1, -1], n_train=2000, n_test=5)
    assert ds.meta["weights"] == [0.25, 0.75]
    assert abs(np.mean(ds.y_train == 1) - 0.25) < 4 * np.sqrt(0.25 * 0.75 / 2000)
    assert np.all(np.abs(ds.x_train[ds.y_train == 1]) < 1.0)


@pytest.mark.parametrize(
    "key, value",
    [
        ("n_train", 0),
        ("n_train", 2.5),
        ("n_test", True),
        ("stds", -1.0),
        ("stds", [1, 1]),
        ("weights", [1, 1, 1]),
        ("weights", [-1, 1, 1, 1]),
        ("labels", [1, 0, -1, -1]),
        ("labels", [1, 1, 1, 1]),
        ("means", [[1, 2, 3]] * 4),
        ("means", [[0, 0], [1, 1]]),
        ("spread", 0),
        ("spread", "wide"),
        ("colour", "red"),
        ("test_seed", "x"),
    ],
)
def test_malformed_keys_name_the_field(key, value):
    with pytest.raises(SpecError) as info:
        _load(**{key: value})
    assert info.value.field == f"data.{key}"
