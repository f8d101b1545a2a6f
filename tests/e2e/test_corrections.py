"""Correcting the words of a transcript: one segment, revert, find and replace; the
correction reaches exports, search and the summary, and word timings stay usable."""

from __future__ import annotations

import pytest

from support import make_audio, squashed


@pytest.fixture
def meeting(server, tmp_path):
    user = server.add_user()
    uploaded = user.upload(make_audio(tmp_path / "jfk.wav", 11).read_bytes(), filename="jfk.wav", title="To correct")
    assert user.wait_status(uploaded["id"], timeout=180)["status"] == "synced"
    return user, uploaded["id"]


def detail(user, mid) -> dict:
    return user.get(f"/api/v1/meetings/{mid}").json()


def patch(user, mid, index, body):
    return user.request("PATCH", f"/api/v1/meetings/{mid}/segments/{index}", json=body)


def test_a_corrected_word_reaches_export_search_and_summary(meeting):
    user, mid = meeting
    before = detail(user, mid)
    index, segment = next((i, s) for i, s in enumerate(before["transcript"]["segments"]) if len(s["words"]) >= 4)
    # Replace the segment's longest word (as the model spelled it) with a made-up name.
    old = max(segment["words"], key=lambda w: len(squashed(w["word"])))["word"]
    new_text = segment["text"].replace(old, "Quixotl", 1)
    assert new_text != segment["text"]
    response = patch(user, mid, index, {"text": new_text})
    assert response.status_code == 200, response.text
    fixed = response.json()["transcript"]["segments"][index]
    assert fixed["text"] == new_text and fixed["corrected"] is True
    times = [(w["start"], w["end"]) for w in fixed["words"]]
    assert all(a[0] <= b[0] for a, b in zip(times, times[1:])), times
    assert all(fixed["start"] - 1e-6 <= s <= e <= fixed["end"] + 1e-6 for s, e in times), (times, fixed)
    assert [w["word"] for w in fixed["words"]] == new_text.split()
    # Exports, search and the summary follow.
    assert "Quixotl" in user.get(f"/api/v1/meetings/{mid}/export", params={"format": "txt"}).text
    assert "Quixotl" in user.get(f"/api/v1/meetings/{mid}/export", params={"format": "srt"}).text
    hits = user.get("/api/v1/search", params={"q": "Quixotl"}).json()["hits"]
    assert any(h["meeting_id"] == mid and h["kind"] == "transcript" for h in hits), hits
    summary_before = [
        s
        for s in (before["insights"] or {}).get("summary", [])
        if s["start"] < segment["end"] and s["end"] > segment["start"] and old in s["text"]
    ]
    summary_after = response.json()["insights"]["summary"]
    for sentence in summary_before:
        assert any("Quixotl" in s["text"] and s["start"] == sentence["start"] for s in summary_after), summary_after
    # Revert brings the machine's words back everywhere.
    reverted = patch(user, mid, index, {"revert_text": True})
    assert reverted.status_code == 200
    assert reverted.json()["transcript"]["segments"][index] == segment
    assert not [h for h in user.get("/api/v1/search", params={"q": "Quixotl"}).json()["hits"] if h["meeting_id"] == mid]


def test_find_and_replace_across_the_meeting(meeting):
    user, mid = meeting
    segments = detail(user, mid)["transcript"]["segments"]
    # A word the transcript really holds (as this machine's model spelled it), seen in one or more segments.
    word = max((w["word"].strip(".,?!") for s in segments for w in s["words"]), key=len)
    holding = [i for i, s in enumerate(segments) if word in s["text"]]
    replaced = user.post(f"/api/v1/meetings/{mid}/transcript/replace", json={"find": word, "replace": "Zanzibar"})
    assert replaced.status_code == 200, replaced.text
    after = replaced.json()["transcript"]["segments"]
    assert [i for i, s in enumerate(after) if s.get("corrected")] == holding
    assert all("Zanzibar" in after[i]["text"] and word not in after[i]["text"] for i in holding)
    missing = user.post(f"/api/v1/meetings/{mid}/transcript/replace", json={"find": "qwertyuiop", "replace": "x"})
    assert missing.status_code == 404


def test_bad_corrections_change_nothing(meeting, other_user):
    user, mid = meeting
    before = detail(user, mid)["transcript"]
    assert patch(user, mid, 9999, {"text": "x"}).status_code == 404
    assert patch(user, mid, 0, {"text": "   "}).json()["error"]["code"] == "empty_text"
    assert patch(user, mid, 0, {"text": "word " * 1500}).status_code == 400
    assert patch(user, mid, 0, {"text": "two\nlines"}).status_code == 400
    assert patch(user, mid, 0, {}).status_code == 400
    assert user.request("PATCH", f"/api/v1/meetings/{mid}/segments/0", data=b"{not json").status_code == 400
    assert patch(other_user, mid, 0, {"text": "mine now"}).status_code == 404
    assert user.post(f"/api/v1/meetings/{mid}/transcript/replace", json={"find": "", "replace": "x"}).status_code == 400
    assert detail(user, mid)["transcript"] == before


def test_corrections_wait_for_processing_and_block_a_silent_retranscription(meeting):
    user, mid = meeting
    assert patch(user, mid, 0, {"text": "Corrected words here"}).status_code == 200
    # Re-transcribing would drop the correction: it asks first.
    asked = user.post(f"/api/v1/meetings/{mid}/process-async", json={"from_stage": "transcribe"})
    assert asked.status_code == 409 and asked.json()["error"]["code"] == "has_edits", asked.text
    # While a later stage re-runs, the text cannot be corrected.
    rerun = user.post(f"/api/v1/meetings/{mid}/process-async", json={"from_stage": "summarize"})
    assert rerun.status_code == 202, rerun.text
    during = patch(user, mid, 0, {"text": "Too early"})
    if user.status(mid)["status"] in ("queued", "processing"):  # still running after the PATCH: it ran during it
        assert during.status_code == 409 and during.json()["error"]["code"] == "processing", during.text
    assert user.wait_status(mid, timeout=120)["status"] == "synced"
    expected = "Too early" if during.status_code == 200 else "Corrected words here"
    assert detail(user, mid)["transcript"]["segments"][0]["text"] == expected
