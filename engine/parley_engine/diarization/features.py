"""Mel spectrogram exactly as resemblyzer computes it (librosa.feature.melspectrogram defaults),
in plain numpy so that neither librosa nor torch is needed.

resemblyzer: 16 kHz, n_fft = 400 (25 ms), hop = 160 (10 ms), 40 mels, power 2, *not* log.
librosa defaults it relies on: periodic Hann window, center=True with reflect padding,
Slaney mel scale (linear below 1 kHz, log above) with Slaney area normalisation.
"""

import functools

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 40

_F_SP = 200.0 / 3  # Slaney: 66.67 Hz per mel below 1 kHz
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP  # = 15
_LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    lin = f / _F_SP
    log = _MIN_LOG_MEL + np.log(np.maximum(f, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOGSTEP
    return np.where(f >= _MIN_LOG_HZ, log, lin)


def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    lin = m * _F_SP
    log = _MIN_LOG_HZ * np.exp(_LOGSTEP * (m - _MIN_LOG_MEL))
    return np.where(m >= _MIN_LOG_MEL, log, lin)


@functools.lru_cache(maxsize=4)
def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """(n_mels, n_fft//2+1) triangles between mel-spaced edges, each scaled to area-like 2/(width)."""
    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2.0), n_mels + 2))
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (fft_freqs - lo) / (mid - lo)
    falling = (hi - fft_freqs) / (hi - mid)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


@functools.lru_cache(maxsize=4)
def _hann(n: int) -> np.ndarray:
    # periodic ("fftbins=True") Hann, as scipy.signal.get_window('hann', n) gives librosa
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)).astype(np.float32)


def n_frames(n_samples: int) -> int:
    return 1 + n_samples // HOP


def _padded(wav: np.ndarray, a: int, b: int) -> np.ndarray:
    """wav[a:b] where indices outside [0, len) are reflected (numpy's "reflect" padding)."""
    n = len(wav)
    if 0 <= a and b <= n:
        return wav[a:b]
    idx = np.abs(np.arange(a, b))  # reflect at the start
    idx = np.where(idx >= n, 2 * (n - 1) - idx, idx)  # reflect at the end
    return wav[idx]


def mel_spectrogram(wav: np.ndarray, chunk_frames: int = 4096) -> np.ndarray:
    """(n_frames, 40) float32 power mel spectrogram; frame t is centred on sample t*160.

    Computed in chunks, padding only at the edges, so an hour of audio needs neither a padded
    copy of the waveform nor the full complex STFT in memory.
    """
    wav = np.asarray(wav, dtype=np.float32)
    pad = N_FFT // 2
    if len(wav) <= pad:  # reflect padding needs more samples than the pad width
        wav = np.pad(wav, (0, pad + 1 - len(wav)))
    total = n_frames(len(wav))
    window, fbank = _hann(N_FFT), mel_filterbank().T
    out = np.empty((total, N_MELS), dtype=np.float32)
    for s in range(0, total, chunk_frames):
        e = min(total, s + chunk_frames)
        y = _padded(wav, s * HOP - pad, (e - 1) * HOP + pad + 1)
        frames = np.lib.stride_tricks.sliding_window_view(y, N_FFT)[::HOP]
        spec = np.fft.rfft(frames * window, axis=1)
        power = (spec.real**2 + spec.imag**2).astype(np.float32)
        np.matmul(power, fbank, out=out[s:e])
    return out
