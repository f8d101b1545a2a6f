"""A small diagonal-covariance Gaussian mixture (EM) in numpy, for the resegmentation.

scikit-learn's GaussianMixture did this job before; importing it alone cost ~88 MB of a
60-minute diarization's memory. What the resegmentation needs is small: a few components on
at most a few ten thousand 40-dimensional frames, a fixed seed, a variance floor, and scores
for every frame. Same recipe as sklearn's (k-means initialisation, `reg` added to every
variance, EM until the mean log-likelihood gains less than `tol`), not bit-identical to it.
"""

from dataclasses import dataclass

import numpy as np

_LOG_2PI = float(np.log(2 * np.pi))


@dataclass
class DiagGMM:
    weights: np.ndarray  # (m,)
    means: np.ndarray  # (m, d)
    vars: np.ndarray  # (m, d)

    def component_loglik(self, x: np.ndarray) -> np.ndarray:
        """(n, m) log(w_j N(x | mu_j, var_j)), float64. Expanded square: two matrix products,
        no (n, m, d) temporary."""
        x = np.asarray(x, dtype=np.float64)
        prec = 1.0 / self.vars
        const = np.log(self.weights) - 0.5 * (
            self.means.shape[1] * _LOG_2PI + np.log(self.vars).sum(1) + (self.means**2 * prec).sum(1)
        )
        return const - 0.5 * ((x * x) @ prec.T) + x @ (self.means * prec).T

    def score_samples(self, x: np.ndarray, chunk: int = 10000) -> np.ndarray:
        """(n,) per-frame log-likelihood, float32, computed in chunks to bound memory."""
        out = np.empty(len(x), dtype=np.float32)
        for s in range(0, len(x), chunk):
            out[s : s + chunk] = _logsumexp(self.component_loglik(x[s : s + chunk]))
        return out


def _logsumexp(a: np.ndarray) -> np.ndarray:
    m = a.max(1)
    return m + np.log(np.exp(a - m[:, None]).sum(1))


def _kmeans_labels(x: np.ndarray, m: int, rng: np.random.Generator, iters: int = 20) -> np.ndarray:
    """k-means++ seeding and a few Lloyd steps: only a starting point for EM."""
    sq = (x * x).sum(1)
    centres = [x[rng.integers(len(x))]]
    d2 = ((x - centres[0]) ** 2).sum(1)
    for _ in range(1, m):
        total = d2.sum()
        centres.append(x[rng.choice(len(x), p=d2 / total)] if total > 0 else x[rng.integers(len(x))])
        d2 = np.minimum(d2, ((x - centres[-1]) ** 2).sum(1))
    c = np.array(centres)
    labels = None
    for _ in range(iters):
        new_labels = np.argmin(sq[:, None] - 2 * x @ c.T + (c * c).sum(1)[None], axis=1)
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for j in range(m):
            if np.any(labels == j):
                c[j] = x[labels == j].mean(0)
    return labels


def _m_step(x: np.ndarray, resp: np.ndarray, reg: float) -> DiagGMM:
    nk = resp.sum(0) + 10 * np.finfo(float).eps  # an empty component keeps a tiny weight, no NaN
    means = (resp.T @ x) / nk[:, None]
    var = (resp.T @ (x * x)) / nk[:, None] - means**2
    return DiagGMM(nk / nk.sum(), means, np.maximum(var, 0.0) + reg)


def fit(
    x: np.ndarray,
    n_comp: int,
    *,
    reg: float = 1e-2,
    max_iter: int = 20,
    tol: float = 1e-3,
    seed: int = 0,
    history: list | None = None,
) -> DiagGMM:
    """EM for a diagonal GMM. `reg` is added to every variance (the floor: a component never
    collapses onto one frame). `history`, when given, receives the mean log-likelihood of the
    training data before each M-step (EM never lowers it; the tests check that)."""
    x = np.asarray(x, dtype=np.float64)
    m = max(1, min(n_comp, len(x)))
    rng = np.random.default_rng(seed)
    resp = np.zeros((len(x), m))
    resp[np.arange(len(x)), _kmeans_labels(x, m, rng) if m > 1 else 0] = 1.0
    g = _m_step(x, resp, reg)
    prev = -np.inf
    for _ in range(max_iter):
        comp = g.component_loglik(x)
        norm = _logsumexp(comp)
        ll = float(norm.mean())
        if history is not None:
            history.append(ll)
        resp = np.exp(comp - norm[:, None])
        g = _m_step(x, resp, reg)
        if ll - prev < tol:
            break
        prev = ll
    return g
