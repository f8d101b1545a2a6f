"""A second speaker for stretches where the frames contradict the chosen one (experimental, off
by default: see bench/README-der.md for what it measured).

The resegmentation's Viterbi follows the window votes and a switch cost, so over a stretch
it keeps one speaker even where another speaker's GMM explains the frames better. On the
AMI-derived excerpts such stretches (the GMM margin, averaged over ~0.5 s, well below zero)
are mostly overlapped speech: the Viterbi keeps the voice that holds the turn, the GMM
hears the one talking over it. The margin is divided by its spread over the recording,
since GMM log-likelihood scales differ from one recording to another.
"""
import numpy as np

from .windows import FRAME_S


def second_labels(gmm_ll: np.ndarray, labels: np.ndarray, spans, *, threshold: float,
                  width: int = 50, min_frames: int = 30) -> np.ndarray:
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
                out[a + s:a + e] = np.bincount(sec[a + s:a + e], minlength=k).argmax()
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
