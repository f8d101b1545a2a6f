"""`embed(texts)`: texts → unit-length all-MiniLM-L6-v2 sentence vectors (the `embed` method).

Texts are tokenized once, sorted by token count and run in batches of similar length (little
padding); each batch is bounded in texts and in attention-matrix size. The model is loaded
on first use and kept for the process lifetime.
"""

import base64
import functools
import sys
import time

import numpy as np

from . import assets
from .bert import Bert
from .pooling import l2_normalize, mean_pool

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
ENCODING = "base64-float16le"  # each vector: base64 of DIM little-endian IEEE 754 half floats
MAX_CHARS = 20_000  # a text is cut here before tokenizing (256 word pieces are ~1,500 chars)
BATCH = 32  # texts per forward pass
MAX_SCORES = 1 << 22  # attention scores per batch (batch * heads * T * T floats, 16 MB)


class Model:
    def __init__(self, path: str):
        cfg = assets.load_config(path)
        self.bert = Bert(assets.load_weights(path), heads=cfg["num_attention_heads"], eps=cfg["layer_norm_eps"])
        self.tokenizer = assets.load_tokenizer(path, min(assets.MAX_TOKENS, self.bert.max_tokens))
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0


@functools.lru_cache(maxsize=1)
def _load(path: str) -> Model:
    t0 = time.monotonic()
    model = Model(path)
    print(f"parley-engine: loaded {MODEL_NAME} from {path} in {time.monotonic() - t0:.2f} s", file=sys.stderr)
    return model


def load_model() -> Model:
    """The model (loaded once per directory, then cached); FileNotFoundError if not installed."""
    return _load(assets.model_dir())


def _batches(lengths: np.ndarray, heads: int):
    """Index arrays of texts in increasing token count, each batch within BATCH and MAX_SCORES."""
    order = np.argsort(lengths, kind="stable")
    i = 0
    while i < len(order):
        n = 1
        while i + n < len(order) and n < BATCH and (n + 1) * heads * int(lengths[order[i + n]]) ** 2 <= MAX_SCORES:
            n += 1
        yield order[i : i + n]
        i += n


def _clean(text: str) -> str:
    """What the tokenizer sees: cut at MAX_CHARS, stripped (as sentence-transformers does), and
    lone UTF-16 surrogates (valid in JSON, not encodable as UTF-8) replaced by "?"."""
    text = text[:MAX_CHARS].strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def embed(texts: list[str], model: Model | None = None, progress=None) -> tuple[np.ndarray, list[int]]:
    """(len(texts), 384) float32 unit vectors, and the indices of texts cut at 256 tokens."""
    model = model or load_model()
    encs = model.tokenizer.encode_batch([_clean(t) for t in texts])
    truncated = [i for i, e in enumerate(encs) if e.overflowing or len(texts[i]) > MAX_CHARS]
    lengths = np.array([len(e.ids) for e in encs], dtype=np.int64)
    out = np.zeros((len(texts), model.bert.hidden), dtype=np.float32)
    done = 0
    for idx in _batches(lengths, model.bert.heads):
        T = int(lengths[idx].max())
        ids = np.full((len(idx), T), model.pad_id, dtype=np.int64)
        mask = np.zeros((len(idx), T), dtype=np.float32)
        for row, k in enumerate(idx):
            ids[row, : lengths[k]] = encs[k].ids
            mask[row, : lengths[k]] = 1
        out[idx] = l2_normalize(mean_pool(model.bert.forward(ids, mask), mask))
        done += len(idx)
        if progress is not None:
            progress(done / len(texts))
    return out, truncated


def to_base64_f16(vectors: np.ndarray) -> list[str]:
    """Each row as base64 of its little-endian IEEE float16 values (2 bytes a dimension)."""
    half = np.asarray(vectors, dtype="<f2")
    return [base64.b64encode(row.tobytes()).decode("ascii") for row in half]


def from_base64_f16(text: str) -> np.ndarray:
    """Inverse of to_base64_f16 for one vector (float32), for tests and tools."""
    return np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float32)
