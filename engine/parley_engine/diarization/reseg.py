"""Frame-level resegmentation after clustering: boundaries follow the voices, not the window grid.

Each speaker gets a small diagonal GMM on the log-mel frames the clustering gave it (the
recording's mean removed); a Viterbi pass over every stretch of continuous speech then picks,
per 10 ms frame, the speaker that best explains the frames, paying `switch` (nats) for every
change of speaker. The window votes of the clustering enter as a prior, so the GMMs refine
boundaries and short turns rather than re-cluster the recording.
"""

import numpy as np

from . import gmm


def log_mel(mel: np.ndarray) -> np.ndarray:
    """Mean-normalised log power mel; overwrites and returns `mel` (pass a copy)."""
    x = np.asarray(mel, dtype=np.float32)
    x += 1e-6
    np.log(x, out=x)
    x -= x.mean(0)
    return x


def gmm_loglik(
    x: np.ndarray,
    labels: np.ndarray,
    k: int,
    n_comp: int = 8,
    max_train: int = 20000,
    seed: int = 0,
    train: np.ndarray | None = None,
) -> np.ndarray:
    """(n, k) per-frame log-likelihood under a per-speaker diagonal GMM trained on x[labels == c]
    (only where `train` is True, when given and a speaker keeps enough frames there)."""
    rng = np.random.default_rng(seed)
    out = np.full((len(x), k), -1e4, dtype=np.float32)
    for c in range(k):
        idx = np.flatnonzero(labels == c)
        if train is not None and np.count_nonzero(train[idx]) >= 100:
            idx = idx[train[idx]]
        if len(idx) < 20:
            continue
        if len(idx) > max_train:
            idx = rng.choice(idx, max_train, replace=False)
        # 20 EM steps are enough here, converged or not; the 1e-2 floor keeps a component
        # from collapsing onto a handful of identical (e.g. digital-silence) frames
        g = gmm.fit(x[idx], min(n_comp, max(1, len(idx) // 50)), reg=1e-2, max_iter=20, seed=seed)
        out[:, c] = g.score_samples(x)
    return out


def viterbi(ll: np.ndarray, switch: float) -> np.ndarray:
    """Best state path through per-frame log-likelihoods (n, k), `switch` nats per change."""
    n, k = ll.shape
    if n == 0 or k == 1:
        return np.zeros(n, dtype=int)
    back = np.zeros((n, k), dtype=bool)  # True: came from the best previous state
    best_prev = np.zeros(n, dtype=int)
    score = ll[0].astype(np.float64)
    for t in range(1, n):
        j = int(np.argmax(score))
        jump = score[j] - switch
        came = jump > score
        best_prev[t] = j
        back[t] = came
        score = np.where(came, jump, score) + ll[t]
    path = np.empty(n, dtype=int)
    path[-1] = int(np.argmax(score))
    for t in range(n - 1, 0, -1):
        path[t - 1] = best_prev[t] if back[t, path[t]] else path[t]
    return path


def resegment(ll: np.ndarray, spans, switch: float) -> np.ndarray:
    out = np.argmax(ll, axis=1)
    for a, b in spans:
        out[a:b] = viterbi(ll[a:b], switch)
    return out
