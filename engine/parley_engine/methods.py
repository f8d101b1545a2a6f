"""Protocol methods: check params, then call the module that does the work.

Heavy modules (PyAV, numpy, faster-whisper) are imported inside the handlers so the
engine answers `ready` and `ping` before paying for them.
"""

import math
import os

from .errors import BadRequest, ModelUnavailable

REQUIRED = object()


def _path(v):
    return isinstance(v, str) and v != "" and "\0" not in v


def _int(lo):
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= lo


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 2


def _temps(v):
    return _num(v) or (isinstance(v, list) and len(v) > 0 and all(map(_num, v)))


def _str(v):
    return isinstance(v, str) and v != ""


def _positive(v):  # finite too: Python's json parser accepts Infinity and NaN
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < math.inf


# Refuse input that decodes to more than this many seconds (null: no limit), so a small
# upload of hours of silence cannot fill the disk or memory. Checked in audio.iter_pcm.
MAX_SECONDS = {"max_seconds": (_positive, None)}


def _check(params: dict, spec: dict) -> dict:
    """Validate params against {name: (predicate, default)}; null means "use default".
    Unknown names are rejected so a typo on the supervisor side fails loudly."""
    unknown = sorted(set(params) - set(spec))
    if unknown:
        raise BadRequest(f"unknown param(s): {', '.join(unknown)}")
    out = {}
    for name, (ok, default) in spec.items():
        value = params.get(name)
        if value is None:
            if default is REQUIRED:
                raise BadRequest(f"missing param `{name}`")
            value = default
        elif not ok(value):
            raise BadRequest(f"invalid value for `{name}`: {value!r}"[:200])
        out[name] = value
    return out


def ping(params, job):
    return {}


def decode(params, job):
    p = _check(params, {"input": (_path, REQUIRED), "output": (_path, REQUIRED), **MAX_SECONDS})
    out_dir = os.path.dirname(os.path.abspath(p["output"]))
    if not os.path.isdir(out_dir):
        raise BadRequest(f"output directory {out_dir} does not exist")
    if os.path.abspath(p["output"]) == os.path.abspath(p["input"]):
        raise BadRequest("`output` must differ from `input`")
    from . import audio

    return audio.decode_to_wav(p["input"], p["output"], job.progress("decode"), p["max_seconds"])


TRANSCRIBE_PARAMS = {
    "audio": (_path, REQUIRED),
    "model": (_str, None),
    "device": (lambda v: v in ("cpu", "cuda", "auto"), "cpu"),
    "compute_type": (_str, "int8"),
    "language": (_str, None),
    "profile": (_str, None),  # checked against profiles.PROFILES in transcribe.run
    "beam_size": (_int(1), None),  # null: the profile's
    "temperature": (_temps, None),
    "vad_filter": (lambda v: isinstance(v, bool), True),
    "initial_prompt": (_str, None),
    "vocabulary": (lambda v: isinstance(v, list), None),  # details: profiles.check_vocabulary
    **MAX_SECONDS,
}


def transcribe(params, job):
    p = _check(params, TRANSCRIBE_PARAMS)
    from . import profiles

    profiles.settings(p["profile"])  # an unknown profile fails before decoding
    problem = p["vocabulary"] is not None and profiles.check_vocabulary(p["vocabulary"])
    if problem:
        raise BadRequest(problem)
    from . import audio, transcribe as whisper

    samples, _ = audio.load(p.pop("audio"), job.progress("decode"), p.pop("max_seconds"))
    return whisper.run(samples, progress=job.progress("transcribe"), **p)


def diarize(params, job):
    p = _check(
        params,
        {
            "audio": (_path, REQUIRED),
            "num_speakers": (_int(1), None),
            "min_speakers": (_int(1), 1),
            "max_speakers": (_int(1), 8),
            **MAX_SECONDS,
        },
    )
    if p["min_speakers"] > p["max_speakers"]:
        raise BadRequest("`min_speakers` is greater than `max_speakers`")
    try:  # before decoding, so a broken install fails fast
        from .diarization import diarize as run, ensure_available

        ensure_available()
    except ImportError as exc:
        raise ModelUnavailable(f"diarization is not available: {exc}") from None
    from . import audio

    samples, _ = audio.load(p["audio"], job.progress("decode"), p["max_seconds"])
    return run(
        samples,
        num_speakers=p["num_speakers"],
        min_speakers=p["min_speakers"],
        max_speakers=p["max_speakers"],
        progress=job.progress("diarize"),
    )


def summarize(params, job):
    p = _check(params, {"segments": (lambda v: isinstance(v, list), REQUIRED), "max_sentences": (_int(1), 5)})
    from .intelligence import pipeline

    problem = pipeline.check_segments(p["segments"])
    if problem:
        raise BadRequest(problem)
    return pipeline.summarize(p["segments"], max_sentences=p["max_sentences"], progress=job.progress("summarize"))


MAX_EMBED_TEXTS = 1024  # per call: bounds the request line, the reply and the job's duration


def embed(params, job):
    p = _check(params, {"texts": (lambda v: isinstance(v, list), REQUIRED)})
    texts = p["texts"]
    if not texts:
        raise BadRequest("`texts` is empty")
    if len(texts) > MAX_EMBED_TEXTS:
        raise BadRequest(f"`texts` has {len(texts)} entries; the limit is {MAX_EMBED_TEXTS} per call")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise BadRequest(f"texts[{i}] is not a string")
    try:  # cheap checks first, so a missing install is reported as such
        from .embedding import ensure_available

        ensure_available()
    except ImportError as exc:
        raise ModelUnavailable(f"text embedding is not available: {exc}") from None
    from .embedding import pipeline

    try:
        model = pipeline.load_model()
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - corrupt, truncated or inconsistent model files
        raise ModelUnavailable(f"{pipeline.MODEL_NAME} could not be loaded: {exc}") from None
    vectors, truncated = pipeline.embed(texts, model, progress=job.progress("embed"))
    return {
        "model": pipeline.MODEL_NAME,
        "dim": int(vectors.shape[1]),
        "encoding": pipeline.ENCODING,
        "vectors": pipeline.to_base64_f16(vectors),
        "truncated": truncated,
    }


def models(params, job):
    p = _check(params, {"dirs": (lambda v: isinstance(v, list) and all(map(_path, v)), None)})
    from . import catalog, hub

    return {"models": catalog.list_models(p["dirs"]), "cache_dir": catalog.hub_cache(), "pullable": hub.known_models()}


def _url(v):
    return isinstance(v, str) and v.startswith(("http://", "https://"))


def models_pull(params, job):
    p = _check(params, {"name": (_str, REQUIRED), "endpoint": (_url, None), "revision": (_str, None)})
    from . import hub

    hub.repo_for(p["name"])  # a bad name is a bad_request before any network
    download = job.progress("download")

    def report(done: int, total: int) -> None:
        download(done / total if total else 0.0, bytes=done, total_bytes=total)

    verify = job.progress("verify")
    entry = hub.pull(
        p["name"], endpoint=p["endpoint"], revision=p["revision"], report=report, verifying=lambda: verify(0.0)
    )
    verify(1.0)
    return entry


HANDLERS = {
    "ping": ping,
    "decode": decode,
    "transcribe": transcribe,
    "diarize": diarize,
    "summarize": summarize,
    "embed": embed,
    "models": models,
    "models_pull": models_pull,
}
