"""The helpers introduced for chapter 10 ("A harder data set: Fashion-MNIST").

confusion.describe_pair with class names, metrics.class_mean_correlation,
training_figures.plot_confusion_grid with class
names and plotting.plot_class_means; and the properties of
grid.fashion_specs() the chapter relies on: the order of its runs, and an
MNIST counterpart of every run (the same spec with ``dataset="mnist"``)
among the book's grids.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hilbertlib import confusion, grid, metrics, plotting, training_figures  # noqa: E402
from hilbertlib.data import Dataset  # noqa: E402
from hilbertlib.specs import ExperimentSpec, Protocol  # noqa: E402

FASHION_NAMES = Dataset("fashion_mnist", *(np.zeros(1),) * 4, source="test").class_names


# ------------------------------------------------------------ describe_pair


def test_describe_pair_names_the_classes_in_order_with_the_count():
    text = confusion.describe_pair((6, 0, 120), FASHION_NAMES)
    assert "Shirt" in text and "T-shirt/top" in text and "120" in text
    assert text.index("Shirt") < text.index("T-shirt/top")  # the true class first, then the prediction
    assert str(0) not in text.replace("120", "")  # names, not class numbers
    one = confusion.describe_pair((9, 7, 1), FASHION_NAMES)
    assert "Ankle boot" in one and "Sneaker" in one and "1" in one and "images" not in one  # one image, singular


def test_describe_pair_without_names_uses_the_digits():
    text = confusion.describe_pair((9, 4, 23))
    assert "9" in text and "4" in text and "23" in text and text.index("9") < text.index("4")


def _two_class_images():
    rng = np.random.default_rng(0)
    base = rng.random((3, 8, 8))
    x = np.concatenate(
        [
            np.repeat(base[:1], 4, axis=0),  # class 0: pattern A
            np.repeat(base[:1], 3, axis=0),  # class 1: the same pattern A
            np.repeat(base[1:2], 5, axis=0),
        ]
    )  # class 2: pattern B
    y = np.array([0] * 4 + [1] * 3 + [2] * 5)
    return x, y, base


def test_class_mean_correlation_is_a_correlation_matrix():
    x, y, _ = _two_class_images()
    c = metrics.class_mean_correlation(x, y, n_classes=3)
    assert c.shape == (3, 3)
    assert np.allclose(c, c.T)
    assert np.allclose(np.diag(c), 1.0)
    assert np.all(np.abs(c) <= 1.0)
    assert c[0, 1] == pytest.approx(1.0)  # identical mean images
    assert c[0, 2] < 0.99  # different random patterns


def test_class_mean_correlation_matches_numpy_and_marks_empty_classes():
    x, y, base = _two_class_images()
    c = metrics.class_mean_correlation(x, y, n_classes=4)  # class 3 has no images
    assert c[0, 2] == pytest.approx(np.corrcoef(base[0].ravel(), base[1].ravel())[0, 1])
    assert np.all(np.isnan(c[3])) and np.all(np.isnan(c[:, 3]))


def test_class_mean_correlation_accepts_bytes_like_floats():
    x, y, _ = _two_class_images()
    as_bytes = np.round(x * 255).astype(np.uint8)
    c_float = metrics.class_mean_correlation(np.round(x * 255) / 255, y, n_classes=3)
    assert np.allclose(metrics.class_mean_correlation(as_bytes, y, n_classes=3), c_float)


@pytest.mark.parametrize("labels", [np.array([0, 1, 10]), np.array([0, -1, 1]), np.array([0, 1])])
def test_class_mean_correlation_rejects_bad_labels(labels):
    with pytest.raises(ValueError):
        metrics.class_mean_correlation(np.zeros((3, 4, 4)), labels)


# ------------------------------------------------------------ figures


class _FakeResult:
    def __init__(self, cm):
        self.confusion_matrix = np.asarray(cm)
        self.id = "fake"


def _tick_texts(ax, axis="x"):
    return [t.get_text() for t in (ax.get_xticklabels() if axis == "x" else ax.get_yticklabels())]


def test_plot_confusion_grid_labels_with_class_names():
    cm = np.eye(10, dtype=int) * 5 + 1
    fig = training_figures.plot_confusion_grid(
        {"A": _FakeResult(cm), "B": _FakeResult(cm.T)}, class_names=FASHION_NAMES
    )
    ax = fig.axes[0]
    assert _tick_texts(ax, "x") == FASHION_NAMES and _tick_texts(ax, "y") == FASHION_NAMES
    assert ax.get_xticklabels()[0].get_rotation() == pytest.approx(45)
    assert [a.get_title() for a in fig.axes if a.get_title()] == ["A", "B"]
    plt.close(fig)


def test_plot_confusion_grid_default_labels_are_digits():
    fig = training_figures.plot_confusion_grid({"A": _FakeResult(np.eye(10, dtype=int))})
    assert _tick_texts(fig.axes[0], "x") == [str(i) for i in range(10)]
    assert fig.axes[0].get_xticklabels()[0].get_rotation() == pytest.approx(0)
    plt.close(fig)


def test_plot_class_means_draws_the_means_with_class_titles():
    x = np.zeros((4, 6, 6), dtype=np.uint8)
    x[0, 0, 0] = x[1, 0, 0] = 255  # class 0: a dot top left
    x[2, 5, 5] = 255  # class 1: a dot bottom right (x[3] is empty, class 1 too)
    y = np.array([0, 0, 1, 1])
    fig = plotting.plot_class_means({"toy": (x, y, ["dot", "corner", "none"])})
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["all", "dot", "corner", ""]  # class 2 has no images: blank
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


def test_the_fashion_grid_lists_its_runs_in_the_order_the_chapter_names_them():
    cnn, row, hilbert, long, best, top = grid.fashion_specs()
    assert all(s.dataset == "fashion_mnist" and s.id.startswith("fashion-") for s in grid.fashion_specs())
    assert (cnn.model, cnn.size) == ("cnn", 28)
    assert [(s.model, s.size, s.ordering) for s in (row, hilbert)] == [("lstm", 14, "row"), ("lstm", 14, "hilbert")]
    recipe = ExperimentSpec("lstm", 28, "row", dataset="fashion_mnist", **grid.LONG_RECIPE)
    assert long == recipe
    assert best == recipe.replace(**grid.LONG_BEST) and top == recipe.replace(**grid.LONG_TOP)
    assert len({s.id for s in grid.fashion_specs()}) == 6


def test_every_fashion_run_has_an_mnist_counterpart_in_the_book():
    book_ids = {s.id for s in grid.all_specs()}
    for s in grid.fashion_specs():
        twin = s.replace(dataset="mnist")
        assert twin.id in book_ids and twin.id == s.id.removeprefix("fashion-")
    for k in grid.LSTM_SEEDS:
        for o in ("row", "hilbert"):
            assert ExperimentSpec("lstm", 14, o, seed=k).id in book_ids


def test_a_quick_protocol_makes_reduced_fashion_specs_with_ids_of_their_own():
    quick = grid.fashion_specs(Protocol(epochs=1, train_size=256, test_size=256))
    committed = {s.id for s in grid.fashion_specs()}
    assert all(s.reduced and s.dataset == "fashion_mnist" and s.epochs == 1 for s in quick)
    assert not committed & {s.id for s in quick}
    assert all(q.id.startswith(c.id.split("-s0")[0]) for q, c in zip(quick, grid.fashion_specs()))
