"""Real-room conditions on generated audio (espeak-ng voices mixed in numpy; nothing written to
the repository): a far-field quiet voice, two voices talking at once, a short backchannel."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

ENGINE = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ENGINE), str(ENGINE / "tools")]

from parley_engine.diarization import diarize  # noqa: E402

pytest.importorskip("faster_whisper")  # Silero VAD ships with it
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
SR = 16000


def _reverb(audio: np.ndarray, rt60: float = 0.5, seed: int = 0) -> np.ndarray:
    """Convolve with a synthetic room: direct path plus exponentially decaying noise (RT60)."""
    from scipy.signal import fftconvolve

    rng = np.random.default_rng(seed)
    n = int(rt60 * SR)
    tail = rng.normal(0, 1, n) * np.exp(-6.9 * np.arange(n) / n)  # -60 dB at rt60
    ir = np.concatenate([[1.0], np.zeros(int(0.005 * SR)), 0.3 * tail / np.sqrt(np.sum(tail**2))])
    return fftconvolve(audio, ir)[: len(audio)].astype(np.float32)


def _speaker_time(res: dict, a: float, b: float) -> dict[int, float]:
    """Seconds of [a, b) each output speaker's turns cover."""
    out: dict[int, float] = {}
    for t in res["turns"]:
        d = min(b, t["end"]) - max(a, t["start"])
        if d > 0:
            out[t["speaker"]] = out.get(t["speaker"], 0.0) + d
    return out


def _majority(res: dict, truth, name: str) -> tuple[int | None, float, float]:
    """(speaker covering most of `name`'s reference time, share of it, share covered by any)."""
    tot: dict[int, float] = {}
    ref = 0.0
    for t in truth:
        if t["speaker"] == name:
            ref += t["end"] - t["start"]
            for k, v in _speaker_time(res, t["start"], t["end"]).items():
                tot[k] = tot.get(k, 0.0) + v
    if not tot:
        return None, 0.0, 0.0
    best = max(tot, key=tot.get)
    return best, tot[best] / ref, sum(tot.values()) / ref


def test_far_field_quiet_voice_is_found():
    # voice C is 20 dB quieter than A and B (the far end of the table), the whole room
    # reverberates (RT60 0.5 s) and there is a noise floor: C must still be its own speaker
    from synth_meeting import synth_meeting

    audio, truth = synth_meeting(3, seed=1)
    audio = audio.copy()
    for t in truth:
        if t["speaker"] == "C":
            audio[int(t["start"] * SR) : int(t["end"] * SR) + 1] *= 0.1  # -20 dB
    audio = _reverb(audio)
    audio += np.random.default_rng(3).normal(0, 10 ** (-60 / 20), len(audio)).astype(np.float32)
    res = diarize(audio)
    assert len(res["speakers"]) == 3
    labels = {}
    for name in "ABC":
        best, share, covered = _majority(res, truth, name)
        assert covered >= 0.8, f"{name}: only {covered:.0%} of its speech is in a turn"
        assert share >= 0.7, f"{name}: only {share:.0%} of its speech goes to one speaker"
        labels[name] = best
    assert len(set(labels.values())) == 3


def _voice_turns(specs):
    """Concatenate (voice index, text[, words per minute]) turns with 0.6 s pauses; returns
    audio and truth."""
    from synth_meeting import VOICES, _speak

    pieces, truth, t = [np.zeros(int(0.5 * SR), np.float32)], [], 0.5
    for v, text, *rate in specs:
        voice, pitch, speed = VOICES[v]
        s = _speak(text, voice, pitch, rate[0] if rate else speed) * 0.6
        truth.append({"voice": v, "start": t, "end": t + len(s) / SR})
        pieces += [s, np.zeros(int(0.6 * SR), np.float32)]
        t += len(s) / SR + 0.6
    audio = np.concatenate(pieces)
    audio += np.random.default_rng(0).normal(0, 1e-3, len(audio)).astype(np.float32)
    return audio, truth


LONG = [
    "Good morning everyone, thanks for joining the weekly sync. Let's start with the launch.",
    "The beta went out on Tuesday and the feedback has been mostly positive so far.",
    "We still have a few crashes on older phones that we need to look at this week.",
    "I think the budget for the marketing campaign is too tight for what we want to do.",
    "The server costs went up by about ten percent since last quarter, which is a concern.",
    "Let me check the numbers and get back to you tomorrow with a proper estimate.",
]


def test_overlapped_speech_gives_both_speakers():
    # A speaks alone, then B starts while A is still talking (>= 1.5 s of both), then B alone
    from synth_meeting import VOICES, _speak

    a = _speak(LONG[0] + " " + LONG[1], *VOICES[0]) * 0.6
    b = _speak(LONG[2] + " " + LONG[3], *VOICES[1]) * 0.6
    start_b = len(a) - int(2.5 * SR)  # the last 2.5 s of A are spoken over by B
    audio = np.zeros(int(0.5 * SR) + start_b + len(b) + SR, np.float32)
    o = int(0.5 * SR)
    audio[o : o + len(a)] += a
    audio[o + start_b : o + start_b + len(b)] += b
    audio += np.random.default_rng(0).normal(0, 1e-3, len(audio)).astype(np.float32)
    res = diarize(audio)
    ov_a, ov_b = (o + start_b) / SR, (o + len(a)) / SR
    covered = _speaker_time(res, ov_a + 0.25, ov_b - 0.25)
    both = [k for k, v in covered.items() if v >= 0.8 * (ov_b - ov_a - 0.5)]
    assert len(both) >= 2, f"overlap {ov_a:.2f}-{ov_b:.2f}: {covered}"


def test_backchannel_gets_its_own_speaker():
    # two voices take long turns; a third says only "Mm, yeah." (~0.6 s) once, between turns
    # (at voice 2's own 160 words per minute espeak takes 1.07 s over it: spoken faster)
    audio, truth = _voice_turns(
        [(0, LONG[0]), (1, LONG[1]), (0, LONG[2]), (2, "Mm, yeah.", 260), (1, LONG[3]), (0, LONG[4]), (1, LONG[5])]
    )
    bc = next(t for t in truth if t["voice"] == 2)
    assert 0.3 <= bc["end"] - bc["start"] <= 1.0
    res = diarize(audio)
    main = set()
    for t in truth:
        if t["voice"] != 2:
            cov = _speaker_time(res, t["start"], t["end"])
            main.add(max(cov, key=cov.get))
    cov = _speaker_time(res, bc["start"], bc["end"])
    assert cov, "the backchannel is not in any turn"
    assert max(cov, key=cov.get) not in main, f"backchannel given to a main speaker: {cov}"
