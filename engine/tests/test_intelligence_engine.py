"""The `summarize` method through a real engine subprocess: round trip, progress, bad
params, and transcribe -> summarize on a real meeting recording."""

import json

import pytest

from parley_engine.intelligence import pipeline
from parley_engine.intelligence.sentences import split_segments
from parley_engine.intelligence.summary import summary_size
from test_intelligence import meeting_segments


def test_round_trip_equals_the_in_process_result(engine):
    segs = meeting_segments()
    progress, msg = engine.call("summarize", {"segments": segs, "max_sentences": 3})
    assert msg["event"] == "result", msg
    expected = json.loads(json.dumps(pipeline.summarize(segs, max_sentences=3)))
    assert msg["result"] == expected
    assert len(msg["result"]["summary"]) == 3
    fractions = [p["fraction"] for p in progress]
    assert all(p["stage"] == "summarize" for p in progress)
    assert fractions == sorted(fractions) and all(0 <= f <= 1 for f in fractions)
    owners = {(a["owner"], a["due"]) for a in msg["result"]["action_items"] if a["kind"] == "commitment"}
    assert ("Speaker 2", "Friday") in owners


def test_defaults_and_empty_segments(engine):
    assert engine.result("summarize", {"segments": []}) == {
        "summary": [],
        "key_topics": [],
        "speakers": [],
        "action_items": [],
        "decisions": [],
        "questions": [],
    }
    out = engine.result("summarize", {"segments": meeting_segments(), "max_sentences": None})
    n = len(split_segments(meeting_segments()))
    assert 2 <= summary_size(n, 5) == len(out["summary"]) < 5  # 20 % of n, under the cap


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({}, "missing param `segments`"),
        ({"segments": "not a list"}, "invalid value for `segments`"),
        ({"segments": {"start": 0}}, "invalid value for `segments`"),
        ({"segments": [{"start": 0, "end": 1}]}, "segments[0].text is missing"),
        ({"segments": [{"start": 0, "end": 1, "text": None}]}, "segments[0].text is missing"),
        ({"segments": [{"text": "hi", "end": 1}]}, "segments[0].start is missing"),
        ({"segments": [{"start": 2, "end": 1, "text": "hi"}]}, "segments[0] ends before"),
        ({"segments": [], "max_sentences": 0}, "invalid value for `max_sentences`"),
        ({"segments": [], "max_sentences": "5"}, "invalid value for `max_sentences`"),
        ({"segments": [], "sentences": 5}, "unknown param(s): sentences"),
    ],
)
def test_bad_params_are_bad_request(engine, params, fragment):
    _, msg = engine.call("summarize", params)
    assert msg["event"] == "error", msg
    assert msg["error"]["code"] == "bad_request"
    assert fragment in msg["error"]["message"]
    assert engine.result("ping") == {}  # and the engine keeps serving


def test_transcribe_then_summarize_a_real_meeting(engine, eval_dir):
    """One minute of AMI ES2004a (a remote-control design meeting), transcribed by the
    engine's own Whisper, then summarised: the topics must be about the meeting."""
    transcript = engine.result("transcribe", {"audio": str(eval_dir / "pyannote-ami-es2004a" / "mixture.wav")})
    segments = [
        {"start": s["start"], "end": s["end"], "text": s["text"], "words": s["words"], "speaker_id": None}
        for s in transcript["segments"]
    ]
    assert len(segments) >= 5
    out = engine.result("summarize", {"segments": segments})
    topics = " ".join(out["key_topics"])
    assert out["key_topics"] and len(out["key_topics"]) <= 8
    assert (
        sum(w in topics for w in ("menu", "display", "phone", "mobile", "symbol", "button", "remote", "design", "lcd"))
        >= 2
    ), topics
    assert 1 <= len(out["summary"]) <= 5
    texts = " ".join(s["text"] for s in segments)
    assert all(s["text"] in texts for s in out["summary"])
    assert [s["speaker_id"] for s in out["speakers"]] == [None]
