"""From window labels to speaker turns: per-frame votes, short-turn smoothing, turn boundaries."""

import numpy as np

from .windows import FRAME_S


def frame_labels(n: int, starts, lengths, labels, k: int) -> np.ndarray:
    """Label each speech frame by the windows covering it; each window votes with a taper so
    that a frame trusts the window it sits in the middle of more than one it just touches."""
    votes = np.zeros((n, max(k, 1)), dtype=np.float32)
    for s, l, c in zip(starts, lengths, labels):
        votes[s : s + l, c] += np.hanning(l + 2)[1:-1]
    out = np.argmax(votes, axis=1)
    covered = votes.sum(1) > 0
    if covered.any() and not covered.all():  # frames no window reached: copy the nearest covered
        idx = np.flatnonzero(covered)
        pos = np.clip(np.searchsorted(idx, np.arange(n)), 1, len(idx) - 1) if len(idx) > 1 else None
        if pos is None:
            out[:] = out[idx[0]]
        else:
            left, right = idx[pos - 1], idx[pos]
            near = np.where(np.abs(np.arange(n) - left) <= np.abs(right - np.arange(n)), left, right)
            out = out[near]
    return out


def _runs(labels: np.ndarray, a: int, b: int) -> list[list[int]]:
    """[start, end, label] runs of equal labels in labels[a:b]."""
    if b <= a:
        return []
    cuts = (a + 1 + np.flatnonzero(np.diff(labels[a:b]))).tolist()
    edges = [a, *cuts, b]
    return [[s, e, int(labels[s])] for s, e in zip(edges[:-1], edges[1:])]


def smooth(labels: np.ndarray, spans, min_frames: int) -> np.ndarray:
    """Within each stretch of continuous speech, absorb runs shorter than `min_frames` into a
    neighbour (shortest first): a speaker change for a few hundred ms is far more often
    embedding noise than a real interjection we could have recognised."""
    labels = labels.copy()
    for a, b in spans:
        runs = _runs(labels, a, b)
        while len(runs) > 1:
            i = min(range(len(runs)), key=lambda j: runs[j][1] - runs[j][0])
            if runs[i][1] - runs[i][0] >= min_frames:
                break
            nbrs = [j for j in (i - 1, i + 1) if 0 <= j < len(runs)]
            j = max(nbrs, key=lambda j: runs[j][1] - runs[j][0])
            labels[runs[i][0] : runs[i][1]] = runs[j][2]
            runs = _runs(labels, a, b)
    return labels


def to_turns(frames: np.ndarray, labels: np.ndarray, regions) -> list[tuple[float, float, int]]:
    """Cut each speech region where its frames change label (half-way between the two frames)."""
    times = frames * FRAME_S
    turns: list[tuple[float, float, int]] = []
    for a, b in regions:
        lo, hi = np.searchsorted(times, [a, b])
        if hi <= lo:
            continue
        start = a
        for s, e, c in _runs(labels, lo, hi):
            end = b if e == hi else (frames[e - 1] + frames[e]) * FRAME_S / 2
            if turns and turns[-1][2] == c and abs(turns[-1][1] - start) < 1e-9:
                turns[-1] = (turns[-1][0], end, c)
            else:
                turns.append((start, end, c))
            start = end
    return turns


def fill_gaps(turns, max_gap: float) -> list[tuple[float, float, int]]:
    """Merge consecutive turns of one speaker separated by less than `max_gap` seconds: a
    breath or thinking pause is part of the turn, as human annotators mark it. (Closing short
    gaps between *different* speakers was measured too: no gain, so it is not done.)"""
    out: list[tuple[float, float, int]] = []
    for a, b, c in turns:
        if out and out[-1][2] == c and a - out[-1][1] < max_gap:
            out[-1] = (out[-1][0], b, c)
        else:
            out.append((a, b, c))
    return out


def frame_votes(n: int, window_frames, labels, k: int) -> np.ndarray:
    """(n, k) tapered votes: window i covers the frame indices window_frames[i] (any order)."""
    votes = np.zeros((n, max(k, 1)), dtype=np.float32)
    for idx, c in zip(window_frames, labels):
        votes[idx, c] += np.hanning(len(idx) + 2)[1:-1]
    return votes


def nearest_covered(covered: np.ndarray) -> np.ndarray:
    """For each index, the nearest index where `covered` is True (itself when covered)."""
    n = len(covered)
    idx = np.flatnonzero(covered)
    if len(idx) == 0:
        return np.arange(n)
    if len(idx) == 1:
        return np.full(n, idx[0])
    pos = np.clip(np.searchsorted(idx, np.arange(n)), 1, len(idx) - 1)
    left, right = idx[pos - 1], idx[pos]
    return np.where(np.abs(np.arange(n) - left) <= np.abs(right - np.arange(n)), left, right)
