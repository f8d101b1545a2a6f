"""Whisper transcription of already-decoded 16 kHz mono audio with faster-whisper."""

import sys

from . import models
from .errors import BadRequest

SR = 16000
TEMPERATURES = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def _r(x) -> float:
    return round(float(x), 3)


def _segment(seg) -> dict:
    return {
        "start": _r(seg.start), "end": _r(seg.end), "text": seg.text.strip(),
        "avg_logprob": _r(seg.avg_logprob), "no_speech_prob": _r(seg.no_speech_prob),
        "words": [{"start": _r(w.start), "end": _r(w.end), "word": w.word.strip(),
                   "probability": _r(w.probability)} for w in (seg.words or [])],
    }


def run(samples, *, model=None, device="cpu", compute_type="int8", language=None,
        beam_size=5, temperature=None, vad_filter=True, initial_prompt=None,
        progress=None) -> dict:
    """Transcribe float32 samples; `progress(fraction)` is called as segments arrive."""
    name, whisper = models.get(model, device, compute_type)
    if not whisper.model.is_multilingual:
        if language not in (None, "en"):
            print(f"parley-engine: {name} is English-only; ignoring language={language}",
                  file=sys.stderr)
        language = "en"
    elif language is not None and language not in whisper.supported_languages:
        raise BadRequest(f"unknown language code {language!r}")
    duration = len(samples) / SR
    if progress:  # VAD and features for the whole file come first: minutes on long audio
        progress(0.0)
    segments, info = whisper.transcribe(
        samples, language=language, beam_size=beam_size,
        temperature=TEMPERATURES if temperature is None else temperature,
        vad_filter=vad_filter, initial_prompt=initial_prompt, word_timestamps=True)
    out = []
    for seg in segments:  # a generator: decoding happens as we iterate
        out.append(_segment(seg))
        if progress and duration > 0:
            progress(seg.end / duration)
    return {"duration": _r(duration), "language": info.language, "model": name,
            "segments": out}
