"""A second, overlapping speaker, found two ways (bench/README-der.md has the figures).

1. `second_labels`: the resegmentation's Viterbi follows the window votes and a switch cost, so over a stretch
it keeps one speaker even where another speaker's GMM explains the frames better. On the
AMI-derived excerpts such stretches (the GMM margin, averaged over ~0.5 s, well below zero)
are mostly overlapped speech: the Viterbi keeps the voice that holds the turn, the GMM
hears the one talking over it. The margin is divided by its spread over the recording,
since GMM log-likelihood scales differ from one recording to another.

2. `pair_margin` / `pair_labels`: where the overlap frames were labelled as one speaker in the
first place, they trained that speaker's GMM, which then fits them best, so (1) cannot see
them. Here each pair of speakers gets a GMM of *simulated* overlap (their own frames added in
the power domain), and a stretch that this model explains nearly as well as, or better than,
any one voice gets both speakers.
"""

import numpy as np

from .windows import FRAME_S


def second_labels(
    gmm_ll: np.ndarray, labels: np.ndarray, spans, *, threshold: float, width: int = 50, min_frames: int = 30
) -> np.ndarray:
    """Per frame, the label of a second, overlapping speaker, or -1 for none."""
    n, k = gmm_ll.shape
    out = np.full(n, -1)
    if k < 2 or n == 0:
        return out
    rows = np.arange(n)
    other = gmm_ll.astype(np.float64)
    other[rows, labels] = -np.inf
    sec = np.argmax(other, axis=1)
    margin = gmm_ll[rows, labels].astype(np.float64) - other[rows, sec]
    del other
    spread = float(margin.std()) or 1.0
    kernel = np.ones(width) / width
    for a, b in spans:  # averaged within continuous speech only, never across a pause
        m = np.convolve(margin[a:b], kernel, mode="same") / spread
        hit = m <= -threshold
        edges = np.flatnonzero(np.diff(np.concatenate([[0], hit.astype(np.int8), [0]])))
        for s, e in zip(edges[::2], edges[1::2]):
            if e - s >= min_frames:
                # one second speaker per stretch: the one the GMM preferred most often
                out[a + s : a + e] = np.bincount(sec[a + s : a + e], minlength=k).argmax()
    return out


def turns(frames: np.ndarray, second: np.ndarray) -> list[tuple[float, float, int]]:
    """(start, end, speaker) for each run of one second speaker on consecutive frames."""
    idx = np.flatnonzero(second >= 0)
    if len(idx) == 0:
        return []
    f, c = frames[idx], second[idx]
    cut = np.flatnonzero((np.diff(f) > 1) | (np.diff(c) != 0)) + 1
    starts, ends = np.concatenate([[0], cut]), np.concatenate([cut, [len(idx)]])
    return [(f[s] * FRAME_S, (f[e - 1] + 1) * FRAME_S, int(c[s])) for s, e in zip(starts, ends)]


def merge(primary, extra, max_gap: float) -> list[tuple[float, float, int]]:
    """Both lists of turns as one, sorted by start: a speaker's own turns that overlap or
    lie closer than `max_gap` are joined; different speakers' turns may overlap."""
    by_spk: dict[int, list[list[float]]] = {}
    for a, b, c in sorted([*primary, *extra]):
        mine = by_spk.setdefault(c, [])
        if mine and a - mine[-1][1] < max_gap:
            mine[-1][1] = max(mine[-1][1], b)
        else:
            mine.append([a, b])
    return sorted((a, b, c) for c, spans in by_spk.items() for a, b in spans)


def _change_zone(labels: np.ndarray, spans, guard: int) -> np.ndarray:
    """True within `guard` frames of a label change inside a stretch of continuous speech."""
    near = np.zeros(len(labels), dtype=bool)
    for a, b in spans:
        for x in np.flatnonzero(np.diff(labels[a:b])) + a + 1:
            near[max(a, x - guard) : min(b, x + guard)] = True
    return near


def pair_margin(
    lm: np.ndarray,
    labels: np.ndarray,
    spans,
    k: int,
    *,
    guard: int = 100,
    n_comp: int = 8,
    n_train: int = 4000,
    max_train: int = 20000,
    gain_db: float = 6.0,
    seed: int = 0,
    exclude: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: how much better the best two-speaker model containing the frame's speaker
    explains it than the best one-speaker model (nats), and the other speaker of that pair.

    One-speaker GMMs are trained on each speaker's frames away from its turn changes (`guard`
    frames either side), where overlap concentrates. A two-speaker GMM for each pair (a, b) is
    trained on simulated overlap: a voiced frame of a and one of b added in the power domain,
    log(exp(x_a + g) + exp(x_b - g)) with a random level difference g of up to ±`gain_db`
    (the recording's mean log-mel cancels: it is the same for both terms). A frame two people
    speak in is explained better by that mixture than by either voice alone; a frame one voice
    speaks in is not, since the mixtures are broader and centred elsewhere.
    """
    from . import gmm

    n = len(lm)
    margin = np.full(n, -np.inf)
    other = np.full(n, -1)
    if k < 2 or n == 0:
        return margin, other
    rng = np.random.default_rng(seed)
    clean = ~_change_zone(labels, spans, guard)
    if exclude is not None:  # e.g. overlap found by a first pass
        clean &= ~exclude
    energy = np.logaddexp.reduce(lm, axis=1)
    single = np.full((n, k), -np.inf, dtype=np.float32)
    voiced: dict[int, np.ndarray] = {}
    for c in range(k):
        idx = np.flatnonzero((labels == c) & clean)
        if len(idx) < 100:  # too little clean speech: fall back to all of the speaker's frames
            idx = np.flatnonzero(labels == c)
        if len(idx) < 50:
            continue
        train = idx if len(idx) <= max_train else rng.choice(idx, max_train, replace=False)
        g = gmm.fit(lm[train], min(n_comp, max(1, len(train) // 50)), reg=1e-2, max_iter=20, seed=seed)
        single[:, c] = g.score_samples(lm)
        voiced[c] = idx[energy[idx] >= np.percentile(energy[idx], 30)]
    best_single = single.max(1)
    best_pair = np.full(n, -np.inf)
    half = gain_db / 20 * np.log(10)  # a dB level difference in natural-log power, halved per side
    for a in voiced:
        for b in voiced:
            if b <= a:
                continue
            ia, ib = rng.choice(voiced[a], n_train), rng.choice(voiced[b], n_train)
            d = rng.uniform(-half, half, n_train)[:, None]
            z = np.logaddexp(lm[ia] + d, lm[ib] - d)
            g = gmm.fit(z, n_comp, reg=1e-2, max_iter=20, seed=seed)
            for mine, oth in ((a, b), (b, a)):  # only the pair's own frames need its score
                idx = np.flatnonzero(labels == mine)
                s = g.score_samples(lm[idx])
                upd = s > best_pair[idx]
                best_pair[idx[upd]] = s[upd]
                other[idx[upd]] = oth
    margin = best_pair - best_single
    return margin, other


def pair_labels(
    margin: np.ndarray, other: np.ndarray, spans, *, threshold: float, width: int = 50, min_frames: int = 30
) -> np.ndarray:
    """Per frame, the second speaker where the two-speaker margin (averaged over `width`
    frames within continuous speech) is above `threshold` for at least `min_frames`; else -1."""
    out = np.full(len(margin), -1)
    for a, b in spans:
        m = margin[a:b]
        if not np.isfinite(m).any():
            continue
        w = min(width, b - a)
        m = np.convolve(np.where(np.isfinite(m), m, -1e4), np.ones(w) / w, mode="same")
        hit = m > threshold
        edges = np.flatnonzero(np.diff(np.concatenate([[0], hit.astype(np.int8), [0]])))
        for s, e in zip(edges[::2], edges[1::2]):
            if e - s >= min_frames:
                o = other[a + s : a + e]
                o = o[o >= 0]
                if len(o):
                    out[a + s : a + e] = np.bincount(o).argmax()
    return out
