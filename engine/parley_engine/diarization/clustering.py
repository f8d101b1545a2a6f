"""Clustering window embeddings into speakers, with the speaker count chosen automatically.

Two views of the same embeddings, each used for what it does well:
- raw cosine (resemblyzer's trained, absolute metric) answers "is there more than one voice?":
  average-linkage AHC cut at a distance threshold (also an upper bound on the count), and a
  check that the best 2-way split really yields two different mean voiceprints;
- mean-subtracted cosine: resemblyzer vectors are non-negative and share a large common
  component; removing the recording's mean spreads the voices apart (without it, synthetic
  4-5 voice meetings collapse to 2). Spectral clustering there gives the count (eigengap)
  and the assignment of windows.
The count is the smaller of the two estimates: with a weak embedding, splitting one voice in
two costs more than merging a rarely heard one. Exception (trust_gap): when one eigengap
dwarfs all others, its count wins, since AHC's min_size drops a voice heard for ~2 s however
plainly it stands apart. All thresholds were chosen on every eval file
and synthetic meeting together (bench/der.py).
"""

import numpy as np

MAX_CLUSTERED = 800  # longer recordings: cluster a strided subset, assign the rest to centroids


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def count_speakers(emb: np.ndarray, threshold: float, min_size: int) -> int:
    """Clusters of average-linkage AHC cut at raw cosine distance `threshold`, counting only
    those with at least `min_size` windows (a few stray windows are noise, not a voice)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    if len(emb) < 2:
        return 1
    z = linkage(emb.astype(np.float64), method="average", metric="cosine")
    sizes = np.bincount(fcluster(z, t=threshold, criterion="distance"))
    return max(1, int(np.sum(sizes >= min_size)))


def _affinity(x: np.ndarray, power: float = 1.0) -> np.ndarray:
    """Symmetrically normalised affinity D^-½ A D^-½ with A = max(0, cos)^power, zero diagonal.
    A power > 1 sharpens the block structure: weak cross-speaker links fade faster than
    within-speaker ones, so the eigengap is clearer."""
    aff = np.maximum(x @ x.T, 0.0) ** power
    np.fill_diagonal(aff, 0.0)
    d = 1.0 / np.sqrt(np.maximum(aff.sum(1), 1e-9))
    return d[:, None] * aff * d[None, :]


def eigengap_count(x: np.ndarray, lo: int, hi: int, power: float = 1.0, dominance: bool = False):
    """k in [lo, hi] at the largest gap between consecutive Laplacian eigenvalues; with
    `dominance`, (k, that gap / the next largest gap in the range) (inf when it is the only one)."""
    hi = min(hi, len(x) - 1)
    if hi <= lo:
        k = max(1, min(lo, len(x)))
        return (k, 0.0) if dominance else k
    vals = 1.0 - np.linalg.eigvalsh(_affinity(x, power))[::-1]  # normalised Laplacian, ascending
    gaps = gaps_all = np.diff(vals[: hi + 1])[lo - 1 : hi]
    k = lo + int(np.argmax(gaps))
    if not dominance:
        return k
    rest = np.delete(gaps_all, k - lo)
    return k, (float(gaps[k - lo] / max(float(rest.max()), 1e-9)) if len(rest) else float("inf"))


def kmeans(x: np.ndarray, k: int, n_init: int = 10, iters: int = 50, seed: int = 0) -> np.ndarray:
    """Plain Lloyd k-means with k-means++ seeding, best of n_init by inertia. (sklearn's
    KMeans costs ~15 ms per init in thread-pool overhead on inputs this small.)"""
    rng = np.random.default_rng(seed)
    sq = (x**2).sum(1)
    best, best_inertia = None, np.inf
    for _ in range(n_init):
        centres = [x[rng.integers(len(x))]]
        for _ in range(1, k):  # k-means++: next centre far from the chosen ones
            d2 = np.min(((x[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
            centres.append(x[rng.choice(len(x), p=d2 / d2.sum())] if d2.sum() > 0 else x[0])
        c = np.array(centres)
        for _ in range(iters):
            dist = sq[:, None] - 2 * x @ c.T + (c**2).sum(1)[None]
            labels = np.argmin(dist, axis=1)
            new = np.array([x[labels == j].mean(0) if np.any(labels == j) else c[j] for j in range(k)])
            if np.allclose(new, c):
                break
            c = new
        inertia = float(np.min(sq[:, None] - 2 * x @ c.T + (c**2).sum(1)[None], axis=1).sum())
        if inertia < best_inertia:
            best, best_inertia = labels, inertia
    return best


def spectral(x: np.ndarray, k: int) -> np.ndarray:
    """Normalised spectral clustering (Ng-Jordan-Weiss) of unit vectors x into k groups."""
    n = len(x)
    if k <= 1 or n <= k:
        return np.arange(n) if 1 < n <= k else np.zeros(n, dtype=int)
    _, vecs = np.linalg.eigh(-_affinity(x))  # eigenvectors of the k largest eigenvalues
    return kmeans(_unit(vecs[:, :k]), k)


def one_voice(emb: np.ndarray, x: np.ndarray, threshold: float) -> bool:
    """True when even the best 2-way split leaves two halves whose raw mean voiceprints are
    more alike than `threshold`: one voice whose windows merely vary (long monologues
    fragment under AHC as the number of windows grows; this statistic does not)."""
    halves = spectral(x, 2)
    c = centroids(emb, halves)
    return float(c[0] @ c[1]) > threshold


def cluster(
    emb: np.ndarray,
    *,
    num_speakers: int | None = None,
    min_speakers: int = 1,
    max_speakers: int = 8,
    threshold: float = 0.26,
    min_size: int = 3,
    power: float = 2.0,
    single: float = 0.86,
    count_emb: np.ndarray | None = None,
    trust_gap: float = 0.0,
) -> np.ndarray:
    """Labels 0..k-1 (in order of first appearance) for L2-normalised embeddings (n, d).

    threshold/min_size: see count_speakers; single: see one_voice; power: affinity sharpening
    for the eigengap only (assignment is better with the plain affinity, on the eval files).
    count_emb: another encoder's embeddings of the same windows for the AHC count and the
    one-voice check (their thresholds must be that encoder's); `emb` does the rest.
    trust_gap: when the eigengap's largest gap is at least this many times every other gap in
    the range, its count is taken even above the AHC count (0 = never): AHC's min_size drops
    a voice heard in fewer than min_size windows even when the spectrum separates it plainly.
    """
    n = len(emb)
    if n == 0:
        return np.zeros(0, dtype=int)
    sub = np.arange(n) if n <= MAX_CLUSTERED else np.linspace(0, n - 1, MAX_CLUSTERED).astype(int)
    x = _unit(emb - emb.mean(0))
    if num_speakers:
        k = num_speakers
    else:
        ce = emb if count_emb is None else count_emb
        cx = x if count_emb is None else _unit(ce - ce.mean(0))
        k = count_speakers(ce[sub], threshold, min_size)
        if k > 1 and min_speakers <= 1 and one_voice(ce[sub], cx[sub], single):
            k = 1
        if k > 1 or min_speakers > 1:
            ke, ratio = eigengap_count(x[sub], max(2, min_speakers), max_speakers, power, True)
            k = ke if trust_gap and k > 1 and ratio >= trust_gap else min(k, ke)
        k = max(min_speakers, min(max_speakers, k))
    k = min(k, len(sub))
    labels = spectral(x[sub], k)
    if len(sub) < n:
        labels = assign(x, x[sub], labels)
    return relabel(labels)


def centroids(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return _unit(np.stack([x[labels == c].mean(0) for c in range(labels.max() + 1)]))


def assign(x: np.ndarray, ref: np.ndarray, ref_labels: np.ndarray) -> np.ndarray:
    """Label each row of x with the cluster whose centroid (of ref) is most cosine-similar."""
    return np.argmax(_unit(x) @ centroids(ref, ref_labels).T, axis=1)


def relabel(labels: np.ndarray) -> np.ndarray:
    """Renumber labels 0..k-1 in order of first appearance."""
    _, first, inv = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=int)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inv.reshape(-1)]
