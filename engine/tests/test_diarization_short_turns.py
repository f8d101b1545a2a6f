"""short_turns.py on hand-made vectors: islands are cut at pauses, and only a voiceprint far
outside a speaker's own short-piece scatter becomes a new speaker."""

import numpy as np

from parley_engine.diarization import short_turns


def test_islands_are_short_runs_between_pauses():
    frames = np.concatenate([np.arange(0, 300), np.arange(340, 400), np.arange(450, 470), np.arange(500, 900)])
    assert short_turns.islands(frames, gap=20, min_len=30, max_len=120) == [(300, 360)]


def test_new_speaker_only_below_the_speakers_own_scatter():
    rng = np.random.default_rng(0)
    cen = np.eye(4)[:2] * 10  # two speakers, orthogonal voiceprints
    ctrl = np.vstack([cen[0] + rng.normal(0, 3, (20, 4)), cen[1] + rng.normal(0, 3, (20, 4))])
    lab = np.repeat([0, 1], 20)
    own = cen[0] + rng.normal(0, 3, 4)  # one of speaker 0's short pieces
    stranger = np.array([1.0, 0.0, 3.0, 0.0])  # mostly a direction neither speaker has
    out = short_turns.new_speakers(np.vstack([own, stranger, stranger * 1.1]), cen, ctrl, lab, margin=0.1, join=0.75)
    assert out.tolist() == [-1, 0, 0]  # the stranger's two islands share one new speaker


def test_no_decision_without_enough_control_pieces():
    cen = np.eye(3)[:2]
    out = short_turns.new_speakers(
        np.array([[0.0, 0.0, 1.0]]), cen, np.eye(3)[:2], np.array([0, 1]), margin=0.1, join=0.75
    )
    assert out.tolist() == [-1]
