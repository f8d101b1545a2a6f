"""Speaker-encoder comparison by EER on speaker pairs built from the eval data.

    python bench/encoder_eer.py [--encoders resemblyzer,onnx,fuse]

Chunks: 1.5 s windows (hop 0.75 s, the diarization window) inside stretches where the reference
has exactly one speaker, per recording:
  ami-headset : AMI ES2004a, each speaker's own headset channel (source0-3, mapping in SOURCE.md)
  ami-mix     : AMI ES2004a headset mix (mixture.wav)
  dev00..tst01: the four pyannote AMI excerpts
  falcon      : the Picovoice 3-speaker clip (JSON segments)
  synth-Nv    : espeak-ng meetings (engine/tools/synth_meeting.py), 2-6 voices, seed 0
Trials: every pair of chunks within one recording (what diarization compares), same speaker vs
different. EER per recording and pooled over the real recordings and over the synthetic ones.
Both encoders see the same chunks at the pipeline's loudness (Params: resemblyzer's speech
raised to -30 dBFS, the ONNX encoder's set to -23 dBFS, up or down).
"fuse" = concatenation of the two unit vectors / sqrt(2) (cosine = mean of the two cosines).
Also: cosine of the same chunk embedded twice, and CPU time per second of chunk audio.
"""

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "engine"), str(REPO / "engine" / "tools"), str(REPO / "bench")]
EVAL = Path(os.environ.get("PARLEY_EVAL_DIR", REPO.parent / "shared" / "eval"))

from parley_engine.diarization import Params, onnx_encoder  # noqa: E402
from parley_engine.diarization.encoder import embed_windows  # noqa: E402
from parley_engine.diarization.features import mel_spectrogram  # noqa: E402

WIN, HOP = 150, 75  # frames


def single_speaker_spans(segs):
    """[(start, end, speaker)] (s) where exactly one reference speaker talks."""
    edges = sorted({t for a, b, _ in segs for t in (a, b)})
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        who = {s for x, y, s in segs if x <= a and y >= b}
        if len(who) == 1:
            s = who.pop()
            if out and out[-1][2] == s and abs(out[-1][1] - a) < 1e-6:
                out[-1] = (out[-1][0], b, s)
            else:
                out.append((a, b, s))
    return out


def chunks(spans):
    """(start frame, speaker) of 1.5 s chunks inside each single-speaker span."""
    out = []
    for a, b, s in spans:
        fa, fb = int(np.ceil(a * 100)), int(b * 100)
        out += [(f, s) for f in range(fa, fb - WIN + 1, HOP)]
    return out


def rttm(path, uri):
    segs = []
    for line in Path(path).read_text().splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "SPEAKER" and f[1] == uri:
            segs.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return segs


def recordings():
    from faster_whisper import decode_audio
    from synth_meeting import synth_meeting

    def load(p):
        return decode_audio(str(p), sampling_rate=16000)

    ami = EVAL / "pyannote-ami-es2004a"
    segs = rttm(ami / "mixture.rttm", "mixture")
    spans = single_speaker_spans(segs)
    yield "ami-mix", load(ami / "mixture.wav"), spans, True
    # headset channels: inferred mapping (SOURCE.md); each chunk is taken from its speaker's own mic
    src = {"MEO015": 0, "FEE013": 1, "MEE014": 2, "FEE016": 3}
    yield "ami-headset", {s: load(ami / "sources" / f"source{i}.wav") for s, i in src.items()}, spans, True
    dbg = EVAL / "pyannote-debug"
    for uri in ("dev00", "dev01", "tst00", "tst01"):
        split = "development" if uri.startswith("dev") else "test"
        yield uri, load(dbg / f"{uri}.wav"), single_speaker_spans(rttm(dbg / f"debug.{split}.rttm", uri)), True
    falcon = EVAL / "picovoice-falcon"
    fs = json.loads((falcon / "test_data.json").read_text())["tests"]["diarization_tests"][0]["segments"]
    yield (
        "falcon",
        load(falcon / "test.wav"),
        single_speaker_spans([(s["start_sec"], s["end_sec"], str(s["speaker_tag"])) for s in fs]),
        True,
    )
    for n in (2, 3, 4, 5, 6):
        audio, truth = synth_meeting(n, 0)
        yield f"synth-{n}v", audio, [(t["start"], t["end"], t["speaker"]) for t in truth], False


def speech_rms(audio, spans):
    parts = [audio[int(a * 16000) : int(b * 16000)] for a, b, _ in spans]
    x = np.concatenate(parts) if parts else audio
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def gain_for(enc, rms):
    p = Params()
    if rms <= 0:
        return 1.0
    if enc == "resemblyzer":
        return max(1.0, 10 ** (p.target_dbfs / 20) / rms)
    return 10 ** (p.onnx_target_dbfs / 20) / rms


def embed_all(audio, chs, gain, enc_name, onnx_enc):
    """Embeddings (n, d) of the chunks; audio is one array or {speaker: array}."""
    if isinstance(audio, dict):
        out = np.zeros((len(chs), 256), np.float32)
        for spk, a in audio.items():
            idx = [i for i, (_, s) in enumerate(chs) if s == spk]
            if idx:
                out[idx] = embed_all(a, [chs[i] for i in idx], gain, enc_name, onnx_enc)
        return out
    starts = np.array([f for f, _ in chs])
    lengths = np.full(len(chs), WIN)
    if enc_name == "resemblyzer":
        return embed_windows(mel_spectrogram(audio), starts, lengths, gain=gain**2)
    lm = onnx_encoder.log_mel(audio, gain=gain)
    return onnx_encoder.embed_windows(lm, starts, lengths, encoder=onnx_enc)


def eer(scores, same):
    """Equal error rate (%) of cosine scores for same/different-speaker trials."""
    order = np.argsort(-scores)
    s = same[order]
    tp = np.cumsum(s) / max(1, s.sum())  # true accept rate at each cut
    fp = np.cumsum(~s) / max(1, (~s).sum())  # false accept rate
    fr = 1 - tp
    i = int(np.argmin(np.abs(fr - fp)))
    return 100 * (fr[i] + fp[i]) / 2


def trials(emb, spk):
    iu = np.triu_indices(len(emb), 1)
    return (emb @ emb.T)[iu], (spk[:, None] == spk[None, :])[iu]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--encoders", default="resemblyzer,onnx,fuse")
    a = ap.parse_args(argv)
    names = a.encoders.split(",")
    onnx_enc = onnx_encoder.OnnxDVector() if {"onnx", "fuse"} & set(names) else None
    pooled = {n: {True: ([], []), False: ([], [])} for n in names}
    per_rec = {n: {True: [], False: []} for n in names}
    cpu = {"resemblyzer": 0.0, "onnx": 0.0}
    secs = 0.0
    print(f"{'recording':12} {'chunks':>6} {'spk':>3} {'same/diff':>11} " + " ".join(f"{n:>12}" for n in names))
    for rec, audio, spans, real in recordings():
        chs = chunks(spans)
        spk = np.array([s for _, s in chs])
        if len(set(spk)) < 2:
            continue
        rms = speech_rms(audio if not isinstance(audio, dict) else np.concatenate(list(audio.values())), spans)
        embs = {}
        for enc in ("resemblyzer", "onnx"):
            if enc in names or "fuse" in names:
                c0 = time.process_time()
                embs[enc] = embed_all(audio, chs, gain_for(enc, rms), enc, onnx_enc)
                cpu[enc] += time.process_time() - c0
        secs += len(chs) * WIN / 100
        if "fuse" in names:
            embs["fuse"] = np.hstack([embs["resemblyzer"], embs["onnx"]]) / np.sqrt(2)
        row = []
        for n in names:
            sc, same = trials(embs[n], spk)
            pooled[n][real][0].append(sc)
            pooled[n][real][1].append(same)
            per_rec[n][real].append(eer(sc, same))
            row.append(f"{per_rec[n][real][-1]:11.1f}%")
        _, same = trials(embs[names[0]], spk)
        print(
            f"{rec:12} {len(chs):6d} {len(set(spk)):3d} {int(same.sum()):5d}/{int((~same).sum()):<5d} " + " ".join(row)
        )
    for real, label in ((True, "pooled real"), (False, "pooled synth")):
        print(
            f"{label:12} {'':6} {'':3} {'':11} "
            + " ".join(
                f"{eer(np.concatenate(pooled[n][real][0]), np.concatenate(pooled[n][real][1])):11.1f}%" for n in names
            )
        )
    for real, label in ((True, "mean real"), (False, "mean synth")):
        print(f"{label:12} {'':6} {'':3} {'':11} " + " ".join(f"{np.mean(per_rec[n][real]):11.1f}%" for n in names))
    print("CPU s per s of chunk audio: " + ", ".join(f"{k} {v / secs:.4f}" for k, v in cpu.items() if v))


if __name__ == "__main__":
    main()
