"""Sliding embedding windows over speech only.

The mel frames of all speech regions are laid end to end (resemblyzer itself trims silences
before embedding), and fixed windows slide over that speech-only timeline. Gaps longer than
`max_gap` break the timeline into runs, so that a window never spans a long silence, where
speaker changes are most likely. A run shorter than one window yields one short window.
"""

from dataclasses import dataclass

import numpy as np

from .features import HOP, SAMPLE_RATE

FRAME_S = HOP / SAMPLE_RATE  # 10 ms mel frames


@dataclass
class Windows:
    frames: np.ndarray  # original mel-frame index of each speech frame, in time order
    starts: np.ndarray  # window start, as an index into `frames`
    lengths: np.ndarray  # window length in frames


def speech_frames(regions, n_frames: int) -> np.ndarray:
    """Mel frames whose centre (t * 10 ms) falls inside a speech region."""
    idx = [np.arange(int(np.ceil(a / FRAME_S)), min(n_frames, int(np.ceil(b / FRAME_S)))) for a, b in regions]
    idx = [i for i in idx if len(i)]
    return np.concatenate(idx) if idx else np.zeros(0, dtype=int)


def runs(frames: np.ndarray, max_gap: float) -> list[tuple[int, int]]:
    """[start, end) index ranges of `frames` with no gap longer than max_gap seconds inside."""
    if len(frames) == 0:
        return []
    cuts = np.flatnonzero(np.diff(frames) > max(1, round(max_gap / FRAME_S))) + 1
    edges = [0, *cuts.tolist(), len(frames)]
    return list(zip(edges[:-1], edges[1:]))


def place(
    regions, n_frames: int, *, win: float = 1.5, hop: float = 0.75, max_gap: float = 0.5, min_len: float = 0.2
) -> Windows:
    """Windows of `win` seconds every `hop` seconds; the last window of a run is aligned to its
    end so every speech frame is covered. Runs shorter than `min_len` get no window (their
    frames are labelled from their neighbours later)."""
    frames = speech_frames(regions, n_frames)
    w, h, m = round(win / FRAME_S), max(1, round(hop / FRAME_S)), round(min_len / FRAME_S)
    starts, lengths = [], []
    for a, b in runs(frames, max_gap):
        n = b - a
        if n < m:
            continue
        if n <= w:
            starts.append(a)
            lengths.append(n)
            continue
        s = list(range(a, b - w + 1, h))
        if s[-1] + w < b:
            s.append(b - w)
        starts += s
        lengths += [w] * len(s)
    return Windows(frames, np.asarray(starts, dtype=int), np.asarray(lengths, dtype=int))
