"""Speaker diarization for Parley: who spoke when, torch-free (numpy + ONNX Silero VAD).

`diarize(audio, num_speakers=None, min_speakers=1, max_speakers=8, progress=None)` takes
16 kHz mono float32 audio and returns the `diarize` result of engine/PROTOCOL.md.
Models load lazily on the first call; `ensure_available()` checks cheaply that they can.
"""

import importlib.util

from .pipeline import Params, diarize
from .weights import resemblyzer_weights_path

__all__ = ["diarize", "ensure_available", "Params"]


def ensure_available() -> None:
    """Raise ImportError (with a fix in the message) if the encoder weights or the VAD are
    missing, so a broken install is reported before any audio is decoded."""
    try:
        resemblyzer_weights_path()
    except FileNotFoundError as exc:
        raise ImportError(str(exc)) from None
    if importlib.util.find_spec("faster_whisper") is None:
        raise ImportError("faster-whisper is not installed (it bundles the Silero VAD)")
