"""Extractive summary: TextRank over TF-IDF sentence vectors.

Why this form of TextRank:
- Sentence vectors are scikit-learn TF-IDF: IDF weighs
  down the words every meeting repeats ("think", "need", "going") far better than the
  original TextRank's raw word overlap, and the vectoriser is C-speed.
- Cosine similarity is one sparse product (rows are L2-normalised), and PageRank is a
  plain power iteration on the sparse row-stochastic matrix: a few milliseconds for a
  one-hour meeting (~2,000 sentences). networkx.pagerank (a yake dependency, so present)
  would build a Python dict per edge, i.e. millions of objects for the same graph.
"""

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .words import FILLERS, GENERIC, STOP_WORDS, words

DAMPING = 0.85
MIN_WORDS = 5  # shorter sentences ("Yeah, okay.") are never picked if others exist
NEAR_DUPLICATE = 0.8  # skip a pick this similar to one already chosen


def summary_size(n_sentences: int, max_sentences: int) -> int:
    """min(max_sentences, ~20 % of the sentences), at least 1 when there is any."""
    if n_sentences == 0:
        return 0
    return max(1, min(max_sentences, round(0.2 * n_sentences)))


def similarity(texts: list[str]) -> sparse.csr_matrix:
    """Cosine similarity of the TF-IDF vectors of `texts` (zero diagonal)."""
    stop = sorted(STOP_WORDS | GENERIC | FILLERS)
    vec = TfidfVectorizer(
        stop_words=stop, sublinear_tf=True, lowercase=True, token_pattern=r"(?u)\b[^\W\d_][\w'-]*\b", dtype=np.float32
    )
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # empty vocabulary: nothing but stop words
        return sparse.csr_matrix((len(texts), len(texts)), dtype=np.float32)
    sim = (x @ x.T).tocsr()
    sim.setdiag(0)
    sim.eliminate_zeros()
    return sim


def pagerank(sim: sparse.csr_matrix, damping: float = DAMPING, tol: float = 1e-6, max_iter: int = 200) -> np.ndarray:
    """PageRank scores of the weighted undirected graph `sim` by power iteration.
    Nodes without edges ("dangling") spread their mass uniformly."""
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0)
    out = np.asarray(sim.sum(axis=1)).ravel()
    dangling = out == 0
    inv = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, out))
    walk_t = (sparse.diags(inv) @ sim).T.tocsr()  # column-stochastic transpose
    r = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        nxt = damping * (walk_t @ r + r[dangling].sum() / n) + (1.0 - damping) / n
        if np.abs(nxt - r).sum() < tol:
            return nxt
        r = nxt
    return r


def textrank(texts: list[str], k: int) -> list[int]:
    """Indices of the `k` most central texts, in input order."""
    if k <= 0 or not texts:
        return []
    sim = similarity(texts)
    scores = pagerank(sim)
    lengths = np.array([len(words(t)) for t in texts])
    eligible = lengths >= MIN_WORDS
    if not eligible.any():
        eligible = lengths > 0
    # Best score first; ties (e.g. a graph without edges) go to the longer sentence.
    order = sorted(np.flatnonzero(eligible), key=lambda i: (-scores[i], -lengths[i], i))
    chosen: list[int] = []
    skipped: list[int] = []
    for i in order:
        if len(chosen) == k:
            break
        if chosen and sim[i, chosen].max() >= NEAR_DUPLICATE:
            skipped.append(int(i))
        else:
            chosen.append(int(i))
    chosen += skipped[: k - len(chosen)]  # only near-duplicates left: take them anyway
    return sorted(chosen)
