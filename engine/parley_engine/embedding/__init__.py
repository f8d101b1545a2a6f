"""Text embeddings for meaning-based search: all-MiniLM-L6-v2 in numpy, offline, no torch.

`pipeline.embed(texts)` returns 384-d unit vectors, the same as sentence-transformers'
`SentenceTransformer("all-MiniLM-L6-v2").encode(texts, normalize_embeddings=True)` to
float32 rounding. Modules, one job each: `assets` (find and load weights and tokenizer),
`bert` (the encoder forward pass), `pooling` (masked mean + L2), `pipeline` (batching).
"""

import importlib.util

from .assets import model_dir


def ensure_available() -> None:
    """Raise ImportError (with the fix in the message) if the model files or the packages
    that read them are missing: cheap, loads nothing."""
    for module, pin in (("safetensors", "safetensors==0.8.0"), ("tokenizers", "tokenizers==0.23.3")):
        if importlib.util.find_spec(module) is None:
            raise ImportError(f"{module} is not installed (pip install {pin}, or run engine/install.sh)")
    try:
        model_dir()
    except FileNotFoundError as exc:
        raise ImportError(str(exc)) from None
