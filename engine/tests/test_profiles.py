"""`transcribe` quality profiles and the vocabulary (hot words) on the bundled tiny.en."""

import re
import sys

import pytest

from conftest import ENGINE_DIR, JFK_TEXT, JFK_WAV, wer

sys.path.insert(0, str(ENGINE_DIR / "tools"))
from names_meeting import TERMS, names_meeting as make_names_meeting  # noqa: E402
from synth_meeting import write_wav  # noqa: E402

from parley_engine import profiles  # noqa: E402


def text_of(result) -> str:
    return " ".join(s["text"] for s in result["segments"])


@pytest.mark.parametrize(
    "profile,beam,batched", [("accurate", 8, False), ("balanced", 5, False), ("fast", 1, True), (None, 5, False)]
)
def test_profiles_are_applied_and_recorded(engine, profile, beam, batched):
    result = engine.result("transcribe", {"audio": str(JFK_WAV), "profile": profile})
    assert result["profile"] == (profile or "balanced")
    assert result["settings"]["beam_size"] == beam and result["settings"]["batched"] == batched
    assert wer(JFK_TEXT.read_text(), text_of(result)) <= 0.1, text_of(result)
    assert [w for s in result["segments"] for w in s["words"]], "word timestamps in every profile"
    assert result["warnings"] == []


def test_explicit_params_override_the_profile(engine):
    result = engine.result(
        "transcribe", {"audio": str(JFK_WAV), "profile": "accurate", "beam_size": 2, "temperature": 0.0}
    )
    assert result["profile"] == "accurate"
    assert result["settings"]["beam_size"] == 2 and result["settings"]["temperature"] == 0.0


def test_fast_without_vad_is_not_batched_and_says_why(engine):
    result = engine.result("transcribe", {"audio": str(JFK_WAV), "profile": "fast", "vad_filter": False})
    assert result["settings"]["batched"] is False and result["settings"]["beam_size"] == 1
    assert any("not batched" in w for w in result["warnings"])


@pytest.mark.parametrize(
    "params,needle",
    [
        ({"profile": "auto"}, "unknown profile 'auto'"),
        ({"profile": "best"}, "accurate, balanced, fast"),
        ({"vocabulary": "Zorvane"}, "invalid value for `vocabulary`"),
        ({"vocabulary": ["ok", ""]}, "vocabulary[1]"),
        ({"vocabulary": ["x" * 65]}, "vocabulary[0]"),
        ({"vocabulary": [f"t{i}" for i in range(101)]}, "limit is 100"),
    ],
)
def test_bad_profile_or_vocabulary_is_bad_request(engine, params, needle):
    _, msg = engine.call("transcribe", {"audio": str(JFK_WAV), **params})
    assert msg["error"]["code"] == "bad_request" and needle in msg["error"]["message"], msg


def test_hotwords_budget_dedupes_and_truncates():
    count = lambda text: len(text.split())  # noqa: E731 - one "token" per word
    hot, applied, dropped = profiles.hotwords(["Zorvane", "zorvane", " Quilla  tek "], None, count)
    assert hot == "Zorvane, Quilla tek" and applied == ["Zorvane", "Quilla tek"] and dropped == []
    prompt = " ".join(["w"] * (profiles.MAX_PROMPT_TOKENS - 3))  # leaves 3 "tokens"
    hot, applied, dropped = profiles.hotwords(["a b", "c", "d"], prompt, count)
    assert applied == ["a b", "c"] and dropped == ["d"]


def test_vocabulary_over_the_prompt_budget_is_recorded(engine):
    terms = [f"Xylo{i}quorbantimexel" for i in range(100)]  # ~8 tokens each: ~800 in all
    result = engine.result("transcribe", {"audio": str(JFK_WAV), "vocabulary": terms})
    applied, dropped = result["vocabulary"]["applied"], result["vocabulary"]["dropped"]
    assert applied and dropped and applied + dropped == terms
    assert any("did not fit" in w for w in result["warnings"])


@pytest.fixture(scope="module")
def names_meeting(tmp_path_factory):
    path = tmp_path_factory.mktemp("names") / "names.wav"
    write_wav(str(path), make_names_meeting())
    return path


def spelled_right(result) -> set:
    words = set(re.sub(r"[^a-z]+", " ", text_of(result).lower()).split())
    return {t for t in TERMS if t.lower() in words}


def test_vocabulary_fixes_the_spelling_of_made_up_names(engine, names_meeting):
    without = spelled_right(engine.result("transcribe", {"audio": str(names_meeting)}))
    result = engine.result("transcribe", {"audio": str(names_meeting), "vocabulary": TERMS})
    with_vocab = spelled_right(result)
    assert result["vocabulary"] == {"applied": TERMS, "dropped": []}
    assert len(with_vocab) >= 3, with_vocab
    assert len(without) <= 1 and len(without) < len(with_vocab), (without, with_vocab)


def test_vocabulary_and_initial_prompt_together(engine, names_meeting):
    result = engine.result(
        "transcribe",
        {
            "audio": str(names_meeting),
            "vocabulary": TERMS,
            "initial_prompt": "Weekly platform meeting.",
            "profile": "fast",
        },
    )
    assert len(spelled_right(result)) >= 3, text_of(result)
