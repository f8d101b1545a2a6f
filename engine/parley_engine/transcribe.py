"""Whisper transcription of already-decoded 16 kHz mono audio with faster-whisper."""

import sys

from . import models, profiles
from .errors import BadRequest

SR = 16000
TEMPERATURES = profiles.TEMPERATURES


def _r(x) -> float:
    return round(float(x), 3)


def _segment(seg) -> dict:
    return {
        "start": _r(seg.start),
        "end": _r(seg.end),
        "text": seg.text.strip(),
        "avg_logprob": _r(seg.avg_logprob),
        "no_speech_prob": _r(seg.no_speech_prob),
        "words": [
            {"start": _r(w.start), "end": _r(w.end), "word": w.word.strip(), "probability": _r(w.probability)}
            for w in (seg.words or [])
        ],
    }


def run(
    samples,
    *,
    model=None,
    device="cpu",
    compute_type="int8",
    language=None,
    profile=None,
    beam_size=None,
    temperature=None,
    vad_filter=True,
    initial_prompt=None,
    vocabulary=None,
    progress=None,
) -> dict:
    """Transcribe float32 samples; `progress(fraction)` is called as segments arrive."""
    opts = profiles.settings(profile, beam_size, temperature)  # bad profile: before loading
    name, whisper = models.get(model, device, compute_type)
    warnings = []
    if not whisper.model.is_multilingual:
        if language not in (None, "en"):
            print(f"parley-engine: {name} is English-only; ignoring language={language}", file=sys.stderr)
        language = "en"
    elif language is not None and language not in whisper.supported_languages:
        raise BadRequest(f"unknown language code {language!r}")
    duration = len(samples) / SR
    if progress:  # VAD and features for the whole file come first: minutes on long audio
        progress(0.0)

    def count_tokens(text: str) -> int:
        return len(whisper.hf_tokenizer.encode(" " + text.strip(), add_special_tokens=False).ids)

    hot, applied, dropped = profiles.hotwords(vocabulary or [], initial_prompt, count_tokens)
    if dropped:
        warnings.append(
            f"vocabulary: {len(dropped)} of {len(applied) + len(dropped)} terms did "
            f"not fit in Whisper's {profiles.MAX_PROMPT_TOKENS}-token prompt and "
            f"were left out (first: {dropped[0]!r})"
        )
    kwargs = dict(
        language=language,
        beam_size=opts["beam_size"],
        temperature=opts["temperature"],
        vad_filter=vad_filter,
        initial_prompt=initial_prompt,
        hotwords=hot,
        word_timestamps=True,
    )
    batched = opts["batched"] and vad_filter
    if opts["batched"] and not vad_filter:
        # The batched pipeline needs VAD chunks (or it refuses audio over 30 s).
        warnings.append("profile fast: vad_filter is off, so decoding is greedy but not batched")
    if batched:
        from faster_whisper import BatchedInferencePipeline

        # without_timestamps=False: with its default (True) each <=30 s chunk comes back as
        # one segment and greedy decoding stops early; measured on bench/profiles.py's
        # 193 s file with tiny.en, WER 17.5 % vs 5.7 % with timestamp tokens.
        segments, info = BatchedInferencePipeline(whisper).transcribe(
            samples, batch_size=profiles.BATCH_SIZE, without_timestamps=False, **kwargs
        )
    else:
        segments, info = whisper.transcribe(samples, **kwargs)
    out = []
    for seg in segments:  # a generator: decoding happens as we iterate
        out.append(_segment(seg))
        if progress and duration > 0:
            progress(seg.end / duration)
    return {
        "duration": _r(duration),
        "language": info.language,
        "model": name,
        "profile": opts["profile"],
        "settings": {
            "beam_size": opts["beam_size"],
            "temperature": opts["temperature"],
            "batched": batched,
            "vad_filter": vad_filter,
        },
        "vocabulary": {"applied": applied, "dropped": dropped},
        "warnings": warnings,
        "segments": out,
    }
