"""Unit checks of the small diarization steps: windows, clustering, smoothing, turn assembly."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parley_engine.diarization import clustering, features, turns, windows  # noqa: E402
from parley_engine.diarization.pipeline import _result  # noqa: E402


def test_reflect_padding_at_both_edges():
    # frame 0 of x must equal an interior frame of x with its reflection written out explicitly
    x = np.random.default_rng(0).normal(0, 0.1, 3000).astype(np.float32)
    y = np.concatenate([x[320:0:-1], x, x[-2:-322:-1]])
    mx, my = features.mel_spectrogram(x), features.mel_spectrogram(y)
    np.testing.assert_allclose(mx[0], my[2], rtol=1e-4)
    last = len(mx) - 1  # centred on sample 160 * last of x, i.e. 320 + 160 * last of y
    np.testing.assert_allclose(mx[last], my[last + 2], rtol=1e-4)


def test_windows_cover_speech_and_respect_gaps():
    regions = [(0.0, 4.0), (4.2, 5.0), (8.0, 8.1), (9.0, 9.5)]
    w = windows.place(regions, 1000, win=1.5, hop=0.75, max_gap=0.5, min_len=0.2)
    covered = np.zeros(len(w.frames), bool)
    for s, l in zip(w.starts, w.lengths):
        covered[s : s + l] = True
        assert l <= 150
        t = w.frames[s : s + l]
        assert np.all(np.diff(t) <= 50)  # a window never spans a pause longer than max_gap
    far = (w.frames >= 800) & (w.frames < 810)
    assert not covered[far].any()  # the 0.1 s blip is too short for a window of its own
    assert covered[~far].all()


def _blobs(sizes, dim=32, spread=0.6, seed=0):
    """ReLU-like unit vectors with a shared component, with d-vector-like statistics: window
    cosine ~0.8 within a voice and ~0.65 between voices."""
    rng = np.random.default_rng(seed)
    common = np.abs(rng.normal(0, 1, dim)) * 0.3
    out, lab = [], []
    for k, n in enumerate(sizes):
        centre = common + np.abs(rng.normal(0, 1, dim))
        out.append(np.maximum(centre + rng.normal(0, spread, (n, dim)), 0.0))
        lab += [k] * n
    x = np.concatenate(out)
    return x / np.linalg.norm(x, axis=1, keepdims=True), np.array(lab)


def test_cluster_recovers_three_voices_and_one_voice():
    x, truth = _blobs([20, 30, 25])
    labels = clustering.cluster(x)
    assert labels.max() + 1 == 3
    for k in range(3):
        assert len(set(labels[truth == k])) == 1
    one, _ = _blobs([40], seed=1)
    assert clustering.cluster(one).max() == 0


def test_cluster_honours_counts():
    x, _ = _blobs([20, 30, 25])
    assert clustering.cluster(x, num_speakers=2).max() + 1 == 2
    assert clustering.cluster(x, max_speakers=2).max() + 1 == 2
    assert clustering.cluster(x, min_speakers=4).max() + 1 == 4
    assert clustering.cluster(x[:1]).tolist() == [0]
    assert clustering.cluster(x[:0]).tolist() == []


def test_plain_eigengap_counts_a_voice_too_rare_for_ahc():
    # a third voice heard in only 2 windows (under min_size=3): AHC drops it, the spectrum
    # separates it plainly; trust_gap takes the eigengap's count then, and only then
    x, truth = _blobs([20, 25, 2], spread=0.3, seed=3)
    assert clustering.cluster(x, trust_gap=0).max() + 1 == 2
    labels = clustering.cluster(x, trust_gap=3.0)
    assert labels.max() + 1 == 3 and len(set(labels[truth == 2])) == 1
    assert set(labels[truth == 2]).isdisjoint(labels[truth != 2])
    # no gain where the gap is not dominant: three voices stay three, one stays one
    y, _ = _blobs([20, 30, 25])
    assert clustering.cluster(y, trust_gap=3.0).max() + 1 == 3
    one, _ = _blobs([40], seed=1)
    assert clustering.cluster(one, trust_gap=3.0).max() == 0


def test_relabel_numbers_by_first_appearance():
    assert clustering.relabel(np.array([5, 5, 2, 9, 2, 5])).tolist() == [0, 0, 1, 2, 1, 0]


def test_smooth_absorbs_short_runs_within_spans_only():
    lab = np.array([0] * 100 + [1] * 20 + [0] * 100 + [1] * 20)
    out = turns.smooth(lab, [(0, 220), (220, 240)], min_frames=50)
    assert out[:220].tolist() == [0] * 220  # the 0.2 s blip inside speech is absorbed
    assert out[220:].tolist() == [1] * 20  # a separate stretch keeps its own label


def test_to_turns_cuts_at_label_changes():
    regions = [(1.0, 2.0), (3.0, 3.5)]
    frames = windows.speech_frames(regions, 1000)
    lab = np.array([0] * 50 + [1] * 50 + [1] * 50)
    got = turns.to_turns(frames, lab, regions)
    assert got == [(1.0, pytest.approx(1.495), 0), (pytest.approx(1.495), 2.0, 1), (3.0, 3.5, 1)]


def test_fill_gaps_merges_one_speakers_pauses_only():
    t = [(0.0, 1.0, 0), (1.5, 2.0, 0), (2.2, 3.0, 1), (5.0, 6.0, 1)]
    assert turns.fill_gaps(t, 1.0) == [(0.0, 2.0, 0), (2.2, 3.0, 1), (5.0, 6.0, 1)]


def test_result_rounds_and_never_overlaps():
    emb = np.eye(3, 256)
    labels, full = np.array([0, 1, 2]), np.ones(3, bool)
    raw = [(0.00049, 1.0004, 2), (1.0004, 1.00044, 0), (1.0004, 2.5, 0), (2.5, 3.0, 1)]
    res = _result(3.0, raw, emb, labels, full)
    assert res["turns"] == [
        {"start": 0.0, "end": 1.0, "speaker": 0},
        {"start": 1.0, "end": 2.5, "speaker": 1},
        {"start": 2.5, "end": 3.0, "speaker": 2},
    ]
    assert [s["speaker"] for s in res["speakers"]] == [0, 1, 2]
    assert res["speakers"][0]["embedding"][2] == 1.0  # cluster 2 appeared first
