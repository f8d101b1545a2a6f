"""`models_pull`: fetch a faster-whisper model from the Hugging Face hub into the local cache.

The engine runs with HF_HUB_OFFLINE=1 so nothing else can ever download; this module lifts
that for the duration of one explicit pull only. The endpoint is the request's `endpoint`,
else HF_ENDPOINT (huggingface_hub's own setting), so tests and mirrors can stand in for
huggingface.co. A pulled model is verified by loading it; one that does not load is
deleted from the cache again, so it never looks complete to `models` or `transcribe`.
"""

import io
import os
import shutil
import sys
import threading
import time

from . import catalog
from .errors import EngineError, ModelUnavailable

# Only the files faster-whisper needs (the same list as faster_whisper.utils.download_model):
# hub repos also hold READMEs, and some hold other formats we would download for nothing.
ALLOW = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*"]
CONNECT_TIMEOUT = 10.0  # seconds for each metadata request; offline fails well within this


class HubUnreachable(EngineError):
    code, retryable = "hub_unreachable", True


def known_models() -> dict:
    """Short names -> hub repos, exactly faster-whisper's own table (large-v3, turbo, ...)."""
    from faster_whisper.utils import _MODELS

    return dict(_MODELS)


def repo_for(name: str) -> str:
    from .errors import BadRequest

    if "/" in name:
        if name.count("/") != 1 or name.startswith(("/", ".", "~")) or name.endswith("/"):
            raise BadRequest(f"`name` must be a model name or a hub id (org/name), not {name!r}")
        return name
    repo = known_models().get(name)
    if repo is None:
        raise BadRequest(
            f"unknown model {name!r}; known names: {', '.join(known_models())}, "
            "or a hub id such as Systran/faster-whisper-small"
        )
    return repo


def _progress_bar(report):
    """A tqdm class that counts but never draws, and passes byte counts to `report`.
    snapshot_download builds its byte bars from this class and sums every file into them."""
    from tqdm.auto import tqdm

    class Bar(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs.pop("name", None)
            kwargs.update(file=io.StringIO(), disable=False, mininterval=0)
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            out = super().update(n)
            if self.unit == "B":
                report(int(self.n), int(self.total or 0))
            return out

    return Bar


def _expected_bytes(storage: str, revision: str | None) -> int | None:
    """Bytes this pull will fetch in all, from the file listing snapshot_download caches
    (trees/<commit>.json) before it downloads anything; the tqdm totals only grow as each
    file starts, which would make the fraction jump backwards."""
    import fnmatch

    try:
        with open(os.path.join(storage, "refs", revision or "main"), encoding="utf-8") as f:
            commit = f.read().strip()
    except OSError:
        return None
    sizes = catalog.tree_sizes(storage, commit) or {}
    wanted = [s for p, s in sizes.items() if any(fnmatch.fnmatch(p, a) for a in ALLOW)]
    return sum(s or 0 for s in wanted) if wanted else None


def _cause_chain(exc):
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


def _unreachable(exc: Exception) -> Exception | None:
    """The network error behind `exc` (innermost first: its message says what happened,
    "Connection refused", "Name or service not known"), or None if it is something else."""
    import httpx2
    from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled

    chain = list(_cause_chain(exc))
    for e in reversed(chain):
        if isinstance(e, (httpx2.TransportError, ConnectionError, TimeoutError)):
            return e
    return next((e for e in chain if isinstance(e, (OfflineModeIsEnabled, LocalEntryNotFoundError))), None)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _discard(snapshot: str) -> None:
    """Remove a snapshot and the blobs it links to, and the ref if it names it, so a bad
    download is not found by the cache lookups (ours or faster-whisper's)."""
    storage = os.path.dirname(os.path.dirname(snapshot))
    for root, _, files in os.walk(snapshot):
        for f in files:
            p = os.path.join(root, f)
            if os.path.islink(p):
                target = os.path.realpath(p)
                if target.startswith(os.path.join(storage, "blobs") + os.sep):
                    try:
                        os.remove(target)
                    except OSError:
                        pass
    shutil.rmtree(snapshot, ignore_errors=True)
    ref = os.path.join(storage, "refs", "main")
    try:
        with open(ref, encoding="utf-8") as f:
            if f.read().strip() == os.path.basename(snapshot):
                os.remove(ref)
    except OSError:
        pass


def download(name: str, *, endpoint=None, revision=None, report=None) -> tuple[str, str]:
    """Download (or complete) `name` into the hub cache; returns (repo id, snapshot dir)."""
    repo = repo_for(name)
    import huggingface_hub
    from huggingface_hub import constants

    endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
    offline = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = False  # one explicit pull; the engine's default stays offline
    started = time.monotonic()
    storage = os.path.join(catalog.hub_cache(), "models--" + repo.replace("/", "--"))
    expected, lock = {"sent": -1}, threading.Lock()

    def bytes_done(done: int, bar_total: int) -> None:
        # Called from the download threads (two files at a time): serialised, and a count
        # read before another thread's larger one is never sent after it.
        with lock:
            if "total" not in expected:
                expected["total"] = _expected_bytes(storage, revision)
            if report and done > expected["sent"]:
                expected["sent"] = done
                report(done, max(expected["total"] or 0, bar_total, done))

    try:
        path = huggingface_hub.snapshot_download(
            repo,
            revision=revision,
            endpoint=endpoint,
            cache_dir=catalog.hub_cache(),
            allow_patterns=ALLOW,
            etag_timeout=CONNECT_TIMEOUT,
            max_workers=2,
            tqdm_class=_progress_bar(bytes_done),
        )
    except Exception as exc:  # noqa: BLE001 - mapped to one protocol line below
        network = _unreachable(exc)
        if network is not None:
            raise HubUnreachable(
                f"cannot reach the model hub at {endpoint} to pull {name} "
                f"({repo}): {type(network).__name__}: {_first_line(network)}"
            ) from None
        if type(exc).__name__ in ("RepositoryNotFoundError", "RevisionNotFoundError", "GatedRepoError"):
            raise ModelUnavailable(
                f"{name} ({repo}) is not on the model hub at {endpoint}: {_first_line(exc)}"
            ) from None
        raise ModelUnavailable(f"pulling {name} ({repo}) failed: {type(exc).__name__}: {_first_line(exc)}") from None
    finally:
        constants.HF_HUB_OFFLINE = offline
    print(f"parley-engine: pulled {repo} into {path} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return repo, path


def pull(name: str, *, endpoint=None, revision=None, report=None, verifying=None) -> dict:
    """Download, then verify the files and load the model; a model that fails either is
    removed from the cache and reported as `model_unavailable`. Returns its `models` entry."""
    from . import models

    repo, path = download(name, endpoint=endpoint, revision=revision, report=report)
    if verifying:
        verifying()
    storage = os.path.dirname(os.path.dirname(path))
    problem = catalog.check(path, catalog.tree_sizes(storage, os.path.basename(path)))
    if problem is None:
        try:
            models.get(path)  # the real test; stays loaded for the next transcribe
        except ModelUnavailable as exc:
            problem = str(exc)
    if problem is not None:
        _discard(path)
        raise ModelUnavailable(f"pulled {name} ({repo}) does not load and was removed from the cache: {problem}")
    entry = catalog.describe(name if "/" not in name else repo, path, "cache")
    entry["repo"] = repo
    return entry
