"""Mel features: analytic checks of the Slaney filterbank and STFT conventions (plus an optional
comparison with librosa when it happens to be installed; it is never a dependency)."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parley_engine.diarization import features as F  # noqa: E402

SR = 16000


def test_slaney_mel_scale():
    # linear below 1 kHz at 200/3 Hz per mel; log above with 27 mels per factor 6.4
    assert F.hz_to_mel(0.0) == 0.0
    assert F.hz_to_mel(200.0) == pytest.approx(3.0)
    assert F.hz_to_mel(1000.0) == pytest.approx(15.0)
    assert F.hz_to_mel(6400.0) == pytest.approx(15.0 + 27.0)
    f = np.array([0.0, 100.0, 999.0, 1000.0, 2500.0, 8000.0])
    np.testing.assert_allclose(F.mel_to_hz(F.hz_to_mel(f)), f, rtol=1e-12, atol=1e-9)


def test_filterbank_triangles_and_area_normalisation():
    fb = F.mel_filterbank()
    assert fb.shape == (40, 201) and fb.dtype == np.float32
    assert (fb >= 0).all()
    edges = F.mel_to_hz(np.linspace(0.0, F.hz_to_mel(SR / 2), 42))
    np.testing.assert_allclose(np.diff(F.hz_to_mel(edges)), F.hz_to_mel(8000.0) / 41)
    bin_hz = SR / 400
    for i in range(40):
        lo, mid, hi = edges[i : i + 3]
        nz = np.flatnonzero(fb[i]) * bin_hz
        assert lo < nz.min() and nz.max() < hi  # support strictly inside the edges
        assert abs(np.argmax(fb[i]) * bin_hz - mid) <= bin_hz  # peak at the centre frequency
        assert fb[i].max() <= 2.0 / (hi - lo) + 1e-9  # Slaney height 2 / width
        assert fb[i].sum() * bin_hz == pytest.approx(1.0, abs=0.05)  # unit area


def test_frame_count_and_centring():
    for n in (401, 16000, 16159, 16160):
        assert len(F.mel_spectrogram(np.zeros(n, np.float32))) == 1 + n // 160
    x = np.zeros(SR, np.float32)
    x[160 * 37] = 1.0  # a click is loudest in the frame centred on it (center=True)
    assert np.argmax(F.mel_spectrogram(x).sum(1)) == 37


def test_periodic_hann_dc_response():
    # periodic Hann = 0.5 - 0.25 e^{+j..} - 0.25 e^{-j..}: DC lands in bins 0 (N/2) and 1 (N/4)
    # only, so with power 2 the mel energy is 40000 * fb[:, 0] + 10000 * fb[:, 1] exactly.
    # (A symmetric window, a missing square, or constant padding at the edges would break it.)
    mel = F.mel_spectrogram(np.ones(8000, np.float32))
    fb = F.mel_filterbank()
    expected = 200.0**2 * fb[:, 0] + 100.0**2 * fb[:, 1]
    np.testing.assert_allclose(mel, np.broadcast_to(expected, mel.shape), rtol=1e-4, atol=1e-3)


def test_pure_tone_lands_in_its_band():
    t = np.arange(SR) / SR
    edges = F.mel_to_hz(np.linspace(0.0, F.hz_to_mel(SR / 2), 42))
    for band in (3, 18, 30):
        f = edges[band + 1]  # the band's centre frequency
        mel = F.mel_spectrogram((0.5 * np.sin(2 * np.pi * f * t)).astype(np.float32))[5:-5]
        mean = mel.mean(0)
        assert np.argmax(mean) == band
        far = np.r_[mean[: max(0, band - 3)], mean[band + 4 :]]
        assert far.max() < 1e-4 * mean[band]
        louder = F.mel_spectrogram((1.0 * np.sin(2 * np.pi * f * t)).astype(np.float32))[5:-5]
        assert louder.mean(0)[band] == pytest.approx(4 * mean[band], rel=1e-3)  # power, not magnitude


def test_matches_librosa_when_available():
    librosa = pytest.importorskip("librosa")
    y = (np.random.default_rng(0).standard_normal(SR + 123) * 0.1).astype(np.float32)
    # resemblyzer 0.1.4 was built against librosa < 0.10, whose default pad_mode was "reflect"
    ref = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=400, hop_length=160, n_mels=40, pad_mode="reflect").T
    ours = F.mel_spectrogram(y)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-3, atol=1e-6 * ref.max())
