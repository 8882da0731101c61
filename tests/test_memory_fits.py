"""hilbertlib.memory_fits: the decay fits recover known curves, and the bands over seeds."""

from __future__ import annotations

import numpy as np
import pytest

from hilbertlib import memory_fits


def test_fit_decays_recovers_an_exponential_and_a_power_law():
    lags = np.arange(1, 151)
    exp_fit = memory_fits.fit_decays(lags, 0.8 * np.exp(-lags / 30.0))
    assert exp_fit["exponential"]["tau"] == pytest.approx(30.0)
    assert exp_fit["exponential"]["scale"] == pytest.approx(0.8)
    assert exp_fit["exponential"]["rms"] < 1e-9 < exp_fit["power_law"]["rms"]
    pow_fit = memory_fits.fit_decays(lags, 0.5 * lags**-0.7)
    assert pow_fit["power_law"]["exponent"] == pytest.approx(0.7)
    assert pow_fit["power_law"]["rms"] < 1e-9 < pow_fit["exponential"]["rms"]
    np.testing.assert_allclose(pow_fit["power_law"]["curve"], 0.5 * lags**-0.7, rtol=1e-9)
    with pytest.raises(ValueError, match="at least 3"):
        memory_fits.fit_decays([1, 2, 3], [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=">= 1"):
        memory_fits.fit_decays([0, 1, 2], [1.0, 0.5, 0.2])


def test_a_mixture_of_exponentials_looks_like_a_power_law():
    lags = np.arange(1, 151)
    one = memory_fits.exponential_mixture([20.0], lags)
    np.testing.assert_allclose(one, np.exp(-lags / 20.0))
    taus = np.logspace(0, 3, 128)  # time constants spread over three decades
    mix = memory_fits.exponential_mixture(taus, lags)
    fits = memory_fits.fit_decays(lags, mix)
    assert fits["power_law"]["rms"] < fits["exponential"]["rms"]
    assert memory_fits.exponential_mixture([np.inf], [5, 50])[1] == 1.0
    with pytest.raises(ValueError, match="positive"):
        memory_fits.exponential_mixture([0.0, 3.0], lags)


def test_decay_shapes_counts_units():
    lags = np.arange(1, 101)
    curves = np.stack(
        [
            np.exp(-lags / 30.0),  # exponential
            lags**-1.0,  # power law
            np.full(len(lags), 0.99),  # flat
            np.exp(-lags / 0.3),
        ],
        axis=1,
    )  # gone in a step or two
    assert memory_fits.decay_shapes(curves, lags) == {"exponential": 1, "power_law": 1, "flat": 1, "too_fast": 1}


def test_seed_band():
    band = memory_fits.seed_band([[1.0, 2.0], [3.0, 2.0], [2.0, 5.0]])
    np.testing.assert_allclose(band["mean"], [2.0, 3.0])
    np.testing.assert_allclose(band["low"], [1.0, 2.0])
    np.testing.assert_allclose(band["high"], [3.0, 5.0])
    assert band["n"] == 3
    with pytest.raises(ValueError, match="one equally long"):
        memory_fits.seed_band([])


def test_fit_gap_is_positive_where_the_exponential_fits_better():
    lags = np.arange(1, 101)
    assert memory_fits.fit_gap(memory_fits.fit_decays(lags, np.exp(-lags / 30.0))) > 0
    assert memory_fits.fit_gap(memory_fits.fit_decays(lags, lags**-1.5)) < 0
