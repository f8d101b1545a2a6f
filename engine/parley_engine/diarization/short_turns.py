"""Short interjections by a voice heard nowhere else ("Mm, yeah." from a third person).

Clustering counts a voice only when it fills a few 1.5 s windows, so a 0.6 s backchannel by
someone who says nothing else is absorbed into the speaker talking around it, and the GMMs of
the resegmentation, trained on that speaker's frames, include it. Here every short stretch of
speech set apart by pauses ("island") gets a d-vector of its own, and one whose voiceprint is
far from every speaker's becomes a new speaker. "Far" is measured against the recording's own
scatter: short d-vectors are noisy, so each speaker's centroid is compared with d-vectors of
equally short pieces of that speaker's own clustered speech (`control`), and an island must
fall `margin` below the 5th percentile of those cosines. Islands whose voiceprints are close
to each other (cosine ≥ `join`) share that new speaker.
"""

import numpy as np


def islands(frames: np.ndarray, *, gap: int, min_len: int, max_len: int) -> list[tuple[int, int]]:
    """[start, end) index ranges of `frames` set apart by more than `gap` missing frames on
    both sides, between min_len and max_len frames long."""
    if len(frames) == 0:
        return []
    cuts = np.flatnonzero(np.diff(frames) > gap) + 1
    edges = [0, *cuts.tolist(), len(frames)]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if min_len <= b - a <= max_len]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def new_speakers(
    emb: np.ndarray,
    centroids: np.ndarray,
    control: np.ndarray,
    control_labels: np.ndarray,
    *,
    margin: float,
    join: float,
    min_control: int = 5,
) -> np.ndarray:
    """For each island embedding, -1 (an existing voice) or the index of a new speaker (0, 1, …).
    `control`: short-piece d-vectors of the clustered speech, `control_labels` their speakers."""
    out = np.full(len(emb), -1)
    if len(emb) == 0 or len(centroids) == 0:
        return out
    unit, cen = _unit(emb), _unit(centroids)
    cos = unit @ cen.T
    near = cos.argmax(1)
    ctrl = (_unit(control) @ cen.T)[np.arange(len(control)), control_labels] if len(control) else np.zeros(0)
    far = np.zeros(len(emb), dtype=bool)
    for i, c in enumerate(near):
        own = ctrl[control_labels == c]
        if len(own) >= min_control:  # too few pieces to know the speaker's scatter: keep it
            far[i] = cos[i, c] < np.percentile(own, 5) - margin
    new: list[np.ndarray] = []
    for i in np.flatnonzero(far):
        sims = [float(unit[i] @ v) for v in new]
        if sims and max(sims) >= join:
            out[i] = int(np.argmax(sims))
        else:
            out[i] = len(new)
            new.append(unit[i])
    return out


def control_pieces(win_starts, win_lengths, *, length: int, max_pieces: int = 240) -> tuple[np.ndarray, np.ndarray]:
    """(start, window index) of `length`-frame pieces from the middle of full windows, evenly
    spread over the recording, at most `max_pieces` (their speakers are the windows' labels)."""
    lengths = np.asarray(win_lengths)
    full = np.flatnonzero(lengths >= max(length, lengths.max()))
    if len(full) == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    pick = full[np.unique(np.linspace(0, len(full) - 1, min(max_pieces, len(full))).round().astype(int))]
    return np.asarray(win_starts)[pick] + (lengths[pick] - length) // 2, pick
