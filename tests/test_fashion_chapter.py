"""The helpers introduced for chapter 10 ("A harder data set: Fashion-MNIST").

analysis.describe_pair with class names, analysis.difference_of_means,
analysis.class_mean_correlation, plotting.plot_confusion_grid with class
names and plotting.plot_class_means; and book.experiment building the
chapter's Fashion-MNIST specs with the ids of grid.fashion_specs().
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hilbertlib import analysis, book, grid, plotting  # noqa: E402
from hilbertlib.data import Dataset  # noqa: E402

FASHION_NAMES = Dataset("fashion_mnist", *(np.zeros(1),) * 4, source="test").class_names


# ------------------------------------------------------------ describe_pair


def test_describe_pair_names_the_classes():
    assert analysis.describe_pair((6, 0, 120), FASHION_NAMES) == "Shirt read as T-shirt/top (120 test images)"
    assert analysis.describe_pair((9, 7, 1), FASHION_NAMES) == "Ankle boot read as Sneaker (1 test image)"


def test_describe_pair_without_names_is_unchanged():
    assert analysis.describe_pair((9, 4, 23)) == "9 read as 4 (23 test images)"
    assert analysis.describe_pair(None) == analysis.PENDING
    assert analysis.describe_pair(None, FASHION_NAMES) == analysis.PENDING


def test_describe_pair_rejects_too_few_names():
    with pytest.raises(ValueError, match="too few"):
        analysis.describe_pair((9, 4, 2), ["a", "b", "c"])


# ------------------------------------------------------------ difference_of_means


def test_difference_of_means_matches_the_formula():
    a, b = [0.97, 0.96, 0.98], [0.95, 0.94]
    gap, se = analysis.difference_of_means(a, b)
    assert gap == pytest.approx(np.mean(a) - np.mean(b))
    assert se == pytest.approx(np.sqrt(np.var(a, ddof=1) / 3 + np.var(b, ddof=1) / 2))


def test_difference_of_means_is_antisymmetric_with_the_same_error():
    a, b = [0.9, 0.8, 0.85], [0.7, 0.75, 0.72]
    g1, s1 = analysis.difference_of_means(a, b)
    g2, s2 = analysis.difference_of_means(b, a)
    assert g1 == pytest.approx(-g2) and s1 == pytest.approx(s2)
    assert g1 > 0


def test_difference_of_means_one_seed_has_no_error_and_empty_has_nothing():
    assert analysis.difference_of_means([0.9], [0.8, 0.7]) == (pytest.approx(0.15), None)
    assert analysis.difference_of_means([], [0.8]) == (None, None)
    assert analysis.difference_of_means([0.8], []) == (None, None)


# ------------------------------------------------------------ class_mean_correlation


def _two_class_images():
    rng = np.random.default_rng(0)
    base = rng.random((3, 8, 8))
    x = np.concatenate([np.repeat(base[:1], 4, axis=0),   # class 0: pattern A
                        np.repeat(base[:1], 3, axis=0),   # class 1: the same pattern A
                        np.repeat(base[1:2], 5, axis=0)])  # class 2: pattern B
    y = np.array([0] * 4 + [1] * 3 + [2] * 5)
    return x, y, base


def test_class_mean_correlation_is_a_correlation_matrix():
    x, y, _ = _two_class_images()
    c = analysis.class_mean_correlation(x, y, n_classes=3)
    assert c.shape == (3, 3)
    assert np.allclose(c, c.T)
    assert np.allclose(np.diag(c), 1.0)
    assert np.all(np.abs(c) <= 1.0)
    assert c[0, 1] == pytest.approx(1.0)           # identical mean images
    assert c[0, 2] < 0.99                          # different random patterns


def test_class_mean_correlation_matches_numpy_and_marks_empty_classes():
    x, y, base = _two_class_images()
    c = analysis.class_mean_correlation(x, y, n_classes=4)   # class 3 has no images
    assert c[0, 2] == pytest.approx(np.corrcoef(base[0].ravel(), base[1].ravel())[0, 1])
    assert np.all(np.isnan(c[3])) and np.all(np.isnan(c[:, 3]))


def test_class_mean_correlation_accepts_bytes_like_floats():
    x, y, _ = _two_class_images()
    as_bytes = np.round(x * 255).astype(np.uint8)
    c_float = analysis.class_mean_correlation(np.round(x * 255) / 255, y, n_classes=3)
    assert np.allclose(analysis.class_mean_correlation(as_bytes, y, n_classes=3), c_float)


@pytest.mark.parametrize("labels", [np.array([0, 1, 10]), np.array([0, -1, 1]), np.array([0, 1])])
def test_class_mean_correlation_rejects_bad_labels(labels):
    with pytest.raises(ValueError):
        analysis.class_mean_correlation(np.zeros((3, 4, 4)), labels)


# ------------------------------------------------------------ figures


class _FakeResult:
    def __init__(self, cm):
        self.confusion_matrix = np.asarray(cm)
        self.id = "fake"


def _tick_texts(ax, axis="x"):
    return [t.get_text() for t in (ax.get_xticklabels() if axis == "x" else ax.get_yticklabels())]


def test_plot_confusion_grid_labels_with_class_names():
    cm = np.eye(10, dtype=int) * 5 + 1
    fig = plotting.plot_confusion_grid({"A": _FakeResult(cm), "B": None}, class_names=FASHION_NAMES)
    ax = fig.axes[0]
    assert _tick_texts(ax, "x") == FASHION_NAMES and _tick_texts(ax, "y") == FASHION_NAMES
    assert ax.get_xticklabels()[0].get_rotation() == pytest.approx(45)
    assert any("not yet run" in t.get_text() for t in fig.axes[1].texts)
    plt.close(fig)


def test_plot_confusion_grid_default_labels_are_digits():
    fig = plotting.plot_confusion_grid({"A": _FakeResult(np.eye(10, dtype=int))})
    assert _tick_texts(fig.axes[0], "x") == [str(i) for i in range(10)]
    assert fig.axes[0].get_xticklabels()[0].get_rotation() == pytest.approx(0)
    plt.close(fig)


def test_plot_class_means_draws_the_means_with_class_titles():
    x = np.zeros((4, 6, 6), dtype=np.uint8)
    x[0, 0, 0] = x[1, 0, 0] = 255          # class 0: a dot top left
    x[2, 5, 5] = 255                        # class 1: a dot bottom right (x[3] is empty, class 1 too)
    y = np.array([0, 0, 1, 1])
    fig = plotting.plot_class_means({"toy": (x, y, ["dot", "corner", "none"])})
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["all", "dot", "corner", ""]   # class 2 has no images: blank
    shown = [ax.images[0].get_array() for ax in axes[:3]]
    assert shown[1][0, 0] == pytest.approx(1.0)
    assert shown[2][5, 5] == pytest.approx(0.5)
    assert shown[0][0, 0] == pytest.approx(0.5) and shown[0].sum() == pytest.approx(0.75)
    assert not axes[3].images
    plt.close(fig)


def test_plot_class_means_one_row_per_data_set():
    x = np.random.default_rng(1).random((20, 5, 5))
    y = np.arange(20) % 4
    fig = plotting.plot_class_means({"a": (x, y, list("wxyz")), "b": (x, y, list("wx"))})
    assert len(fig.axes) == 2 * 5
    plt.close(fig)


def test_plot_class_means_rejects_mismatched_labels():
    with pytest.raises(ValueError):
        plotting.plot_class_means({"bad": (np.zeros((3, 4, 4)), np.zeros(2, dtype=int), ["a"])})
    with pytest.raises(ValueError):
        plotting.plot_class_means({})


# ------------------------------------------------------------ specs


def _chapter_spec(model, size, ordering="row", seed=0, dataset="fashion_mnist", **extra):
    # As the chapter builds them, with the paper's protocol.
    return book.experiment(model, size, ordering, seed, epochs=20, batch_size=32, train_size=None,
                           test_size=None, dataset=dataset, **extra)


def test_the_chapter_specs_are_the_fashion_grid():
    ours = [_chapter_spec("cnn", 28), _chapter_spec("lstm", 14, "row"), _chapter_spec("lstm", 14, "hilbert"),
            _chapter_spec("lstm", 28, "row", **grid.LONG_RECIPE),
            _chapter_spec("lstm", 28, "row", **grid.LONG_RECIPE).replace(**grid.LONG_BEST),
            _chapter_spec("lstm", 28, "row", **grid.LONG_RECIPE).replace(**grid.LONG_TOP)]
    assert [s.id for s in ours] == [s.id for s in grid.fashion_specs()]
    assert ours == grid.fashion_specs()
    assert {s.id for s in ours} == {"fashion-cnn-28-s0", "fashion-lstm-14-row-s0", "fashion-lstm-14-hilbert-s0",
                                    "fashion-lstm-28-row-s0-clip1-chrono", "fashion-lstm-28-row-s0-e40-clip1-chrono",
                                    "fashion-lstm-28-row-s0-e40-lr0.002-cosine-clip1-chrono"}


def test_a_quick_fashion_spec_is_reduced_and_never_a_committed_id():
    s = book.experiment("lstm", 14, "row", 0, epochs=1, train_size=256, test_size=256, dataset="fashion_mnist")
    assert s.reduced and s.dataset == "fashion_mnist"
    assert s.id.startswith("fashion-lstm-14-row-s0-") and s.id != "fashion-lstm-14-row-s0"
    assert book.experiment("lstm", 14).dataset == "mnist"
