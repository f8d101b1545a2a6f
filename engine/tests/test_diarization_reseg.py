"""Units of the resegmentation and two-pass VAD helpers."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parley_engine.diarization import reseg, turns, vad  # noqa: E402


def test_viterbi_switch_cost_removes_blips_but_keeps_real_changes():
    ll = np.zeros((300, 2))
    ll[:150, 0], ll[150:, 1] = 1.0, 1.0  # a real change at frame 150
    ll[60:65] = [0.0, 2.0]  # a 5-frame blip favouring speaker 1 by 2 nats/frame
    path = reseg.viterbi(ll, switch=20.0)
    assert path[:150].tolist() == [0] * 150 and path[150:].tolist() == [1] * 150
    assert reseg.viterbi(ll, switch=1.0)[60:65].tolist() == [1] * 5  # cheap switches: followed


def test_resegment_works_per_span_and_single_state():
    ll = np.zeros((40, 2))
    ll[:20, 1], ll[20:, 0] = 1.0, 1.0
    assert reseg.resegment(ll, [(0, 20), (20, 40)], 5.0).tolist() == [1] * 20 + [0] * 20
    assert reseg.viterbi(np.zeros((5, 1)), 5.0).tolist() == [0] * 5


def test_gmm_loglik_prefers_the_speakers_own_frames():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, (400, 5)), rng.normal(3, 1, (400, 5))]).astype(np.float32)
    lab = np.repeat([0, 1], 400)
    ll = reseg.gmm_loglik(x, lab, 2, n_comp=2)
    assert np.mean(np.argmax(ll, 1) == lab) > 0.95


def test_union_and_nearest_covered():
    assert vad.union([(0.0, 1.0), (3.0, 4.0)], [(0.5, 2.0), (5.0, 6.0)]) == [(0.0, 2.0), (3.0, 4.0), (5.0, 6.0)]
    cov = np.array([False, True, False, False, False, True, False])
    assert turns.nearest_covered(cov).tolist() == [1, 1, 1, 1, 5, 5, 5]


def test_agc_lifts_quiet_speech_but_not_the_noise_floor():
    rng = np.random.default_rng(0)
    sr = vad.SAMPLE_RATE
    hiss = rng.normal(0, 1e-4, 10 * sr).astype(np.float32)
    quiet = hiss.copy()
    quiet[4 * sr : 6 * sr] += 0.003 * np.sin(np.arange(2 * sr) * 0.05).astype(np.float32)
    out = vad.agc(quiet, target_dbfs=-25.0, max_gain_db=30.0)
    gain = np.sqrt(np.mean(out[4 * sr : 6 * sr] ** 2) / np.mean(quiet[4 * sr : 6 * sr] ** 2))
    assert gain > 5  # the quiet stretch is raised
    assert np.sqrt(np.mean(out[: 2 * sr] ** 2)) < 10 ** ((-25 - 12 + 1) / 20)  # hiss stays well below
    loud = np.clip(hiss * 3000, -1, 1)
    assert np.allclose(vad.agc(loud), loud)  # never turned down


def test_overlap_second_speaker_where_the_gmm_contradicts_the_path():
    from parley_engine.diarization import overlap

    n = 300
    gll = np.zeros((n, 2))
    gll[:, 0] = 5.0 + np.random.default_rng(0).normal(0, 1, n)  # speaker 0 fits, as labelled ...
    gll[100:160, 1] = 10.0  # ... except 0.6 s where 1 fits better
    lab = np.zeros(n, dtype=int)
    sec = overlap.second_labels(gll, lab, [(0, n)], threshold=0.2, width=20, min_frames=30)
    assert set(np.flatnonzero(sec == 1)) >= set(range(110, 150)) and np.all(sec[:90] == -1)
    assert np.all(overlap.second_labels(gll[:, :1], lab, [(0, n)], threshold=0.2) == -1)  # one voice
    short = overlap.second_labels(gll, lab, [(0, n)], threshold=0.2, width=20, min_frames=100)
    assert np.all(short == -1)  # a stretch shorter than min_frames is not kept
    frames = np.arange(n) + 50
    got = overlap.turns(frames, sec)
    assert len(got) == 1 and got[0][2] == 1


def test_overlap_merge_joins_one_speaker_and_lets_two_overlap():
    from parley_engine.diarization import overlap

    primary = [(0.0, 2.0, 0), (2.0, 4.0, 1)]
    extra = [(1.5, 2.0, 1), (3.0, 3.5, 0)]
    assert overlap.merge(primary, extra, 0.1) == [(0.0, 2.0, 0), (1.5, 4.0, 1), (3.0, 3.5, 0)]
