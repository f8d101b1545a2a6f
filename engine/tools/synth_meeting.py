"""Synthetic multi-voice meetings from espeak-ng, with a ground-truth JSON, for diarization tests.

    python synth_meeting.py OUT.wav OUT.json [--speakers 3] [--seed N] [--turns T]

Each speaker gets a distinct espeak-ng voice (accent + variant + pitch + speed); turns of one
or two natural meeting sentences alternate between speakers, separated by short pauses.
Some sentences are commitments ("I will send the report by Friday") for action-item tests.
Importable: `synth_meeting(n_speakers, seed) -> (audio float32 16 kHz, truth list)`.
"""

import argparse
import io
import json
import random
import subprocess
import sys
import wave

import numpy as np

SAMPLE_RATE = 16000

# (espeak voice+variant, pitch 0-99, words per minute), in pick order: chosen greedily so that
# each new voice is far from the ones before it in resemblyzer's embedding space (many espeak
# variants sound alike to a speaker encoder: en-gb+f2 is closer to en-us+m3 than to en-us+f5).
VOICES = [
    ("en+m7", 20, 140),
    ("en-gb-scotland+f4", 60, 175),
    ("en-us+klatt", 50, 160),
    ("en-us+f5", 80, 155),
    ("en-us+m3", 35, 165),
    ("en-us+f1", 65, 170),
    ("en-gb-x-gbclan+f3", 75, 150),
    ("en-029+m1", 45, 155),
]

SENTENCES = [
    "Good morning everyone, thanks for joining the weekly sync.",
    "Let's start with a quick update on the product launch.",
    "The beta went out on Tuesday and the feedback has been mostly positive.",
    "We still have a few crashes on older phones that we need to look at.",
    "I will send the report by Friday.",
    "Can we move the design review to next week?",
    "I think the budget for the marketing campaign is too tight.",
    "Sarah will update the customer list before the end of the month.",
    "The server costs went up by about ten percent since last quarter.",
    "I'll follow up with the legal team about the contract.",
    "Does anyone have concerns about the new onboarding flow?",
    "We should schedule a call with the vendor on Monday.",
    "I agree, the timeline looks realistic if we keep the scope small.",
    "Let me check the numbers and get back to you tomorrow.",
    "I will prepare the slides for the board meeting.",
    "The support tickets dropped after the last release.",
    "We need a decision on the pricing page by Thursday.",
    "John is going to fix the login bug this week.",
    "That sounds good to me.",
    "Could you share the notes from the customer interviews?",
    "I'm worried that the migration will take longer than planned.",
    "Please send me the draft and I will review it tonight.",
    "Our hiring plan is on track, we have two offers out.",
    "Let's keep the next meeting to thirty minutes.",
    "I will book the meeting room for the workshop.",
    "The analytics dashboard shows a drop in weekly active users.",
    "We can ship the fix on Wednesday if testing goes well.",
    "Okay, I think that covers everything for today.",
]


def _speak(text: str, voice: str, pitch: int, speed: int) -> np.ndarray:
    """espeak-ng → float32 mono at 16 kHz (espeak writes 22.05 kHz; resampled polyphase)."""
    from scipy.signal import resample_poly

    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    if w.getnframes() == 0 or len(pcm) == 0:  # espeak's streamed header may give 0 frames
        pcm = np.frombuffer(wav[44:], dtype="<i2").astype(np.float32) / 32768
    out = resample_poly(pcm, SAMPLE_RATE, rate) if rate != SAMPLE_RATE else pcm
    idx = np.flatnonzero(np.abs(out) > 1e-3)  # trim espeak's leading/trailing silence
    return out[idx[0] : idx[-1] + 1].astype(np.float32) if len(idx) else out.astype(np.float32)


def synth_meeting(n_speakers: int = 3, seed: int = 0, n_turns: int | None = None):
    """Return (audio, truth): truth is [{"speaker": "A", "start", "end", "text"}] in seconds."""
    if not 1 <= n_speakers <= len(VOICES):
        raise ValueError(f"n_speakers must be 1..{len(VOICES)}")
    rng = random.Random(seed)
    voices = VOICES[:n_speakers]
    n_turns = n_turns or max(8, 4 * n_speakers)
    # every speaker talks at least twice; no one follows themself
    order = [i % n_speakers for i in range(2 * n_speakers)]
    rng.shuffle(order)
    while len(order) < n_turns:
        order.append(rng.randrange(n_speakers))
    for i in range(1, len(order)):
        if order[i] == order[i - 1] and n_speakers > 1:
            order[i] = (order[i] + 1 + rng.randrange(n_speakers - 1)) % n_speakers
    pieces, truth, t = [np.zeros(int(0.5 * SAMPLE_RATE), np.float32)], [], 0.5
    for spk in order:
        voice, pitch, speed = voices[spk]
        text = " ".join(rng.sample(SENTENCES, rng.choice([1, 1, 2])))
        pitch = max(0, min(99, pitch + rng.randint(-5, 5)))
        speed = speed + rng.randint(-10, 10)
        speech = _speak(text, voice, pitch, speed) * rng.uniform(0.4, 0.8)
        truth.append(
            {
                "speaker": chr(ord("A") + spk),
                "start": round(t, 3),
                "end": round(t + len(speech) / SAMPLE_RATE, 3),
                "text": text,
            }
        )
        pause = np.zeros(int(rng.uniform(0.3, 1.0) * SAMPLE_RATE), np.float32)
        pieces += [speech, pause]
        t += (len(speech) + len(pause)) / SAMPLE_RATE
    audio = np.concatenate(pieces)
    audio += np.random.default_rng(seed).normal(0, 1e-3, len(audio)).astype(np.float32)  # room hiss
    return np.clip(audio, -1, 1), truth


def write_wav(path: str, audio: np.ndarray) -> None:
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("wav")
    ap.add_argument("json")
    ap.add_argument("--speakers", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--turns", type=int, default=None)
    a = ap.parse_args(argv)
    audio, truth = synth_meeting(a.speakers, a.seed, a.turns)
    write_wav(a.wav, audio)
    with open(a.json, "w") as f:
        json.dump(truth, f, indent=1)
    print(f"{a.wav}: {len(audio) / SAMPLE_RATE:.1f} s, {a.speakers} speakers, {len(truth)} turns", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
