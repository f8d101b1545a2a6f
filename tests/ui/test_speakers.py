"""Voiceprint suggestions, merging speakers, and the processing controls (re-process,
cancel, delete), each behind a confirmation. Runs after the read-only meeting tests: it
changes meetings."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from conftest import DIARIZATION
from server import wait_for


def api(server, token: str, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(
        method, server.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs
    )


def wait_processed(server, token: str, meeting_id: str, timeout: float = 240) -> None:
    def done():
        status = api(server, token, "GET", f"/api/v1/meetings/{meeting_id}/status").json()["status"]
        assert status != "failed", f"processing failed:\n{server.log_tail()}"
        return status == "synced"

    wait_for(done, timeout, 0.5, f"meeting {meeting_id} to be processed")


_state: dict[str, str] = {}


def named_first_speaker(server, token: str, meeting_id: str, name: str, within: float = 12) -> str:
    """Names the voice that speaks most in the recording's first `within` seconds: the part
    `second_meeting` uploads again (the voice with the most time overall may not be in it)."""
    detail = api(server, token, "GET", f"/api/v1/meetings/{meeting_id}").json()
    spoken: dict[str, float] = {}
    for segment in detail["transcript"]["segments"]:
        overlap = min(segment["end"], within) - segment["start"]
        if overlap > 0:
            spoken[segment["speaker_id"]] = spoken.get(segment["speaker_id"], 0) + overlap
    label = max(spoken, key=spoken.get)
    speaker = next(s for s in detail["transcript"]["speakers"] if s["display_name"] == label)
    response = api(
        server, token, "PATCH", f"/api/v1/meetings/{meeting_id}/speakers/{speaker['id']}", json={"custom_name": name}
    )
    assert response.status_code == 200, response.text
    return speaker["id"]


def second_meeting(server, token: str, first_meeting: str, directory: Path) -> str:
    """Names the main voice of the first meeting, then uploads the clip's first 12 s as a
    new recording (other bytes: not a duplicate): the voiceprint should name them there."""
    if "id" in _state:
        return _state["id"]
    named_first_speaker(server, token, first_meeting, "Grace Hopper", within=12)
    path = directory / "first-part.wav"
    with wave.open(str(DIARIZATION), "rb") as source, wave.open(str(path), "wb") as clip:
        clip.setparams(source.getparams())
        clip.writeframes(source.readframes(int(source.getframerate() * 12)))
    response = requests.post(
        server.url + "/api/v1/meetings",
        params={"title": "First part"},
        data=path.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "audio/wav"},
        timeout=60,
    )
    assert response.status_code in (200, 201), response.text
    _state["id"] = response.json()["meeting"]["id"]
    wait_processed(server, token, _state["id"])
    return _state["id"]


def test_voiceprint_suggestion_can_be_accepted(signed_in: Page, server, account, processed_meeting, tmp_path):
    meeting_id = second_meeting(server, account[1], processed_meeting, tmp_path)
    signed_in.goto(f"{server.url}/meetings/{meeting_id}")
    suggestion = signed_in.locator(".speaker [data-role=suggestion]")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("Grace Hopper")
    speaker_id = suggestion.locator("button[data-suggestion=accept]").get_attribute("data-speaker")
    with signed_in.expect_response(lambda r: r.request.method == "PATCH") as answer:
        suggestion.locator("button[data-suggestion=accept]").click()
    assert answer.value.status == 200
    expect(suggestion).to_have_count(0)
    signed_in.reload()
    expect(signed_in.locator(".speaker [data-role=suggestion]")).to_have_count(0)
    expect(signed_in.locator(f'.speaker[data-speaker="{speaker_id}"] .speaker-name')).to_have_text("Grace Hopper")


def test_merge_speakers_after_confirmation(signed_in: Page, server, processed_meeting):
    signed_in.goto(f"{server.url}/meetings/{processed_meeting}")
    speakers = signed_in.locator("#speakers .speaker")
    before = speakers.count()
    assert before >= 2, "the diarization clip has two voices"
    source = speakers.nth(1)
    source_id = source.get_attribute("data-speaker")
    source.locator("details.speaker-edit summary").click()
    into = source.locator("form.merge select").input_value()
    # Dismissing the confirmation changes nothing.
    signed_in.once("dialog", lambda dialog: dialog.dismiss())
    source.locator("form.merge button").click()
    signed_in.wait_for_timeout(500)
    expect(signed_in.locator("#speakers .speaker")).to_have_count(before)
    # Confirming merges and reloads.
    signed_in.once("dialog", lambda dialog: dialog.accept())
    with signed_in.expect_navigation():
        source.locator("form.merge button").click()
    expect(signed_in.locator("#speakers .speaker")).to_have_count(before - 1)
    speakers_in_transcript = set(
        signed_in.locator("#transcript .seg").evaluate_all("segments => segments.map(s => s.dataset.speaker)")
    )
    assert into in speakers_in_transcript
    assert source_id not in speakers_in_transcript


def test_reprocess_then_cancel_then_delete(signed_in: Page, server, account, processed_meeting, tmp_path):
    meeting_id = second_meeting(server, account[1], processed_meeting, tmp_path)
    signed_in.goto(f"{server.url}/meetings/{meeting_id}")
    badge = signed_in.locator("#meeting-head [data-role=badge]")
    expect(badge).to_have_text("Ready")
    # Re-process the summary: confirm, and the header follows the live status back to Ready.
    signed_in.select_option("#from-stage", "summarize")
    signed_in.once("dialog", lambda dialog: dialog.accept())
    signed_in.click("#reprocess-form button[type=submit]")
    expect(signed_in.locator("#meeting-head")).not_to_have_attribute("data-status", "synced", timeout=5_000)
    signed_in.wait_for_load_state()
    expect(signed_in.locator("#meeting-head [data-role=badge]")).to_have_text("Ready", timeout=120_000)

    # Re-process everything and cancel it.
    signed_in.goto(f"{server.url}/meetings/{meeting_id}")
    signed_in.select_option("#from-stage", "normalize")
    dialogs = []
    signed_in.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    signed_in.click("#reprocess-form button[type=submit]")
    cancel = signed_in.locator("#cancel-button")
    expect(cancel).to_be_visible(timeout=10_000)
    cancel.click()
    expect(cancel).to_be_hidden(timeout=10_000)
    status = api(server, account[1], "GET", f"/api/v1/meetings/{meeting_id}/status").json()
    assert status["status"] not in ("queued", "processing"), status
    assert any("Cancel" in message for message in dialogs), dialogs

    # Delete: confirmed, back to the dashboard, gone.
    signed_in.goto(f"{server.url}/meetings/{meeting_id}")
    signed_in.click("#delete-button")
    signed_in.wait_for_url(f"{server.url}/")
    expect(signed_in.locator(f'.card[data-meeting-id="{meeting_id}"]')).to_have_count(0)
    assert api(server, account[1], "GET", f"/api/v1/meetings/{meeting_id}").status_code == 404
