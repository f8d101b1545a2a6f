"""The numpy diagonal GMM that replaced scikit-learn's in the resegmentation."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parley_engine.diarization import gmm  # noqa: E402


def _two_blobs(seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal([0.0, 0.0, 0.0], [1.0, 0.5, 2.0], (600, 3))
    b = rng.normal([6.0, -4.0, 1.0], [0.5, 1.0, 1.0], (300, 3))
    return np.concatenate([a, b])


def test_recovers_the_means_weights_and_variances_of_two_components():
    g = gmm.fit(_two_blobs(), 2, reg=1e-6, max_iter=100)
    order = np.argsort(g.means[:, 0])
    assert np.allclose(g.means[order], [[0, 0, 0], [6, -4, 1]], atol=0.2)
    assert np.allclose(g.weights[order], [2 / 3, 1 / 3], atol=0.02)
    assert np.allclose(np.sqrt(g.vars[order]), [[1, 0.5, 2], [0.5, 1, 1]], rtol=0.15)


def test_em_never_lowers_the_log_likelihood():
    x = _two_blobs(1)
    for reg in (1e-6, 1e-2):  # 1e-2 is what the resegmentation uses
        hist = []
        gmm.fit(x, 5, reg=reg, max_iter=50, tol=0.0, history=hist)
        assert len(hist) == 50
        assert np.all(np.diff(hist) >= -1e-9), hist


def test_scores_match_a_direct_float64_density():
    x = _two_blobs(2)
    g = gmm.fit(x, 3)
    dens = sum(
        w * np.prod(np.exp(-((x - m) ** 2) / (2 * v)) / np.sqrt(2 * np.pi * v), axis=1)
        for w, m, v in zip(g.weights, g.means, g.vars)
    )
    assert np.allclose(g.score_samples(x, chunk=100), np.log(dens), atol=1e-4)


def test_fixed_seed_is_deterministic_and_degenerate_input_is_finite():
    x = _two_blobs(3)
    a, b = gmm.fit(x, 4, seed=7), gmm.fit(x, 4, seed=7)
    assert np.array_equal(a.means, b.means)
    flat = np.zeros((50, 4))  # digital silence: every frame identical
    g = gmm.fit(flat, 3)
    assert np.all(np.isfinite(g.score_samples(flat))) and np.all(g.vars >= 1e-2)
