"""Speech regions from the Silero VAD that faster-whisper bundles as ONNX (no torch, no download).

We use the raw per-frame probabilities rather than `get_speech_timestamps`: its defaults
(2 s minimum silence, 400 ms padding) suit Whisper chunking, while diarization needs tight
boundaries between turns.
"""

import numpy as np

SAMPLE_RATE = 16000
FRAME = 512  # Silero v5/v6 frame at 16 kHz (32 ms)
CONTEXT = 64  # samples of the previous frame the model sees with each frame
FRAME_S = FRAME / SAMPLE_RATE


def speech_probabilities(audio: np.ndarray, chunk_frames: int = 4096) -> np.ndarray:
    """Speech probability of each 32 ms frame; frame i covers samples [512 i, 512 (i+1))."""
    from faster_whisper.vad import get_vad_model  # lazy: keeps `import diarization` cheap

    audio = np.asarray(audio, dtype=np.float32)
    n = -(-len(audio) // FRAME)
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    model = get_vad_model()
    session = getattr(model, "session", None)
    if session is None:  # a future faster-whisper without the attribute: whole-file call
        padded = np.pad(audio, (0, n * FRAME - len(audio)))
        return np.asarray(model(padded), dtype=np.float32).reshape(-1)[:n]
    h = np.zeros((1, 1, 128), dtype=np.float32)
    c = np.zeros_like(h)
    tail = np.zeros(CONTEXT, dtype=np.float32)
    out = []
    # Chunk by chunk with the LSTM state carried over: bounded memory on long recordings.
    for s in range(0, n, chunk_frames):
        piece = audio[s * FRAME : (s + chunk_frames) * FRAME]
        block = np.zeros((-(-len(piece) // FRAME), FRAME), dtype=np.float32)
        block.reshape(-1)[: len(piece)] = piece
        ctx = np.empty((len(block), CONTEXT), dtype=np.float32)
        ctx[0] = tail
        ctx[1:] = block[:-1, -CONTEXT:]
        tail = block[-1, -CONTEXT:].copy()
        probs, h, c = session.run(None, {"input": np.concatenate([ctx, block], 1), "h": h, "c": c})
        out.append(np.asarray(probs, dtype=np.float32).reshape(-1))
    return np.concatenate(out)[:n]


def regions_from_probs(
    probs: np.ndarray,
    *,
    onset: float = 0.5,
    offset: float = 0.35,
    min_silence: float = 0.2,
    min_speech: float = 0.1,
    pad: float = 0.05,
    duration: float | None = None,
) -> list[tuple[float, float]]:
    """Hysteresis thresholding (start above `onset`, stay until below `offset`), then close short
    gaps, drop blips, and pad each region a little (word edges are soft)."""
    regions, start = [], None
    for i, p in enumerate(probs):
        if start is None and p >= onset:
            start = i
        elif start is not None and p < offset:
            regions.append([start * FRAME_S, i * FRAME_S])
            start = None
    if start is not None:
        regions.append([start * FRAME_S, len(probs) * FRAME_S])
    merged: list[list[float]] = []
    for r in regions:
        if merged and r[0] - merged[-1][1] < min_silence:
            merged[-1][1] = r[1]
        else:
            merged.append(r)
    end = duration if duration is not None else len(probs) * FRAME_S
    out = []
    for a, b in merged:
        if b - a >= min_speech:
            a, b = max(0.0, a - pad), min(end, b + pad)
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
    return out


def agc(
    audio: np.ndarray, target_dbfs: float = -25.0, max_gain_db: float = 30.0, win: float = 1.0, floor_db: float = 12.0
) -> np.ndarray:
    """Slow automatic gain control for the VAD's input: quiet stretches (a far-field voice) are
    brought towards `target_dbfs`. The gain follows the RMS over `win`-second blocks (smoothed
    over neighbours), never exceeds `max_gain_db`, and is never more than would lift the
    recording's noise floor (10th percentile of block RMS) to `floor_db` below the target: hiss
    stays hiss. Never turns audio down."""
    n = len(audio)
    blk = int(win * SAMPLE_RATE)
    nb = -(-n // blk)
    if nb == 0:
        return audio
    pad = np.zeros(nb * blk, dtype=np.float32)
    pad[:n] = audio
    rms = np.sqrt(np.mean(pad.reshape(nb, blk).astype(np.float64) ** 2, axis=1)) + 1e-9
    level = np.maximum(rms, np.convolve(rms, np.ones(3) / 3, mode="same"))  # neighbours' level too
    target = 10 ** (target_dbfs / 20)
    cap = min(10 ** (max_gain_db / 20), 10 ** ((target_dbfs - floor_db) / 20) / np.percentile(rms, 10))
    gain = np.clip(target / level, 1.0, max(1.0, cap))
    g = np.interp(np.arange(n), (np.arange(nb) + 0.5) * blk, gain).astype(np.float32)
    return audio * g


def union(a, b) -> list[tuple[float, float]]:
    """Union of two sorted lists of disjoint (start, end) regions."""
    out: list[tuple[float, float]] = []
    for s, e in sorted([*a, *b]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def speech_regions(audio: np.ndarray, **kw) -> list[tuple[float, float]]:
    """Speech regions in seconds, sorted and disjoint."""
    return regions_from_probs(speech_probabilities(audio), duration=len(audio) / SAMPLE_RATE, **kw)
