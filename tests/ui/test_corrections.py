"""Correcting words on the meeting page, keyboard first: Edit (or double-click) opens the
segment's words, Enter saves, Escape cancels, Tab saves and opens the next segment;
Revert brings the machine's words back. Uses a meeting of its own."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from conftest import DIARIZATION, wait_until
from server import wait_for


def api(server, token: str, method: str, path: str, headers: dict | None = None, **kwargs) -> requests.Response:
    return requests.request(
        method, server.url + path, headers={"Authorization": f"Bearer {token}", **(headers or {})}, timeout=30, **kwargs
    )


@pytest.fixture(scope="module")
def own_meeting(server, account) -> str:
    data = DIARIZATION.read_bytes() + b"corrections"  # distinct bytes: not a duplicate of the shared meeting
    meeting = api(
        server,
        account[1],
        "POST",
        "/api/v1/meetings",
        params={"filename": "c.wav", "title": "Corrections"},
        data=data,
        headers={"Content-Type": "audio/wav"},
    ).json()
    mid = meeting["meeting"]["id"]
    wait_for(
        lambda: api(server, account[1], "GET", f"/api/v1/meetings/{mid}/status").json()["status"] == "synced",
        240,
        0.5,
        "the meeting to be processed",
    )
    return mid


def segment_text(server, token, mid, index) -> dict:
    return api(server, token, "GET", f"/api/v1/meetings/{mid}").json()["transcript"]["segments"][index]


def test_edit_save_tab_cancel_and_revert(signed_in: Page, server, account, own_meeting):
    token = account[1]
    machine = [segment_text(server, token, own_meeting, i) for i in (0, 1)]
    signed_in.goto(f"{server.url}/meetings/{own_meeting}")
    rows = signed_in.locator("#transcript .seg")
    rows.nth(0).locator(".seg-edit").click()
    field = rows.nth(0).locator("textarea.seg-editor")
    expect(field).to_be_focused()
    assert field.input_value() == machine[0]["text"].strip()
    field.fill("Welcome aboard everyone today")
    field.press("Tab")  # saves, then opens the next segment
    expect(rows.nth(0).locator(".seg-text")).to_have_text("Welcome aboard everyone today")
    expect(rows.nth(0).locator(".seg-revert")).to_be_visible()
    second = rows.nth(1).locator("textarea.seg-editor")
    expect(second).to_be_focused()
    second.fill("this will be thrown away")
    second.press("Escape")
    expect(rows.nth(1).locator(".seg-text")).to_have_text(machine[1]["text"].strip())
    saved = segment_text(server, token, own_meeting, 0)
    assert saved["text"] == "Welcome aboard everyone today" and saved["corrected"] is True
    assert segment_text(server, token, own_meeting, 1) == machine[1]
    # The new words play: clicking one seeks to its (realigned) time.
    word = rows.nth(0).locator(".w").nth(1)
    start = float(word.get_attribute("data-start"))
    word.click()
    wait_until(
        signed_in, f"() => Math.abs(document.getElementById('audio').currentTime - {start}) < 0.3", timeout=10_000
    )
    # The server renders the correction on a fresh load, and Revert undoes it.
    signed_in.reload()
    expect(rows.nth(0).locator(".seg-text")).to_have_text("Welcome aboard everyone today")
    assert rows.nth(0).get_attribute("data-corrected") is not None
    rows.nth(0).locator(".seg-revert").click()
    expect(rows.nth(0).locator(".seg-text")).to_have_text(machine[0]["text"].strip())
    expect(rows.nth(0).locator(".seg-revert")).to_be_hidden()
    assert segment_text(server, token, own_meeting, 0) == machine[0]


def test_enter_saves_and_double_click_opens(signed_in: Page, server, account, own_meeting):
    signed_in.goto(f"{server.url}/meetings/{own_meeting}")
    row = signed_in.locator("#transcript .seg").nth(1)
    row.locator(".seg-text").dblclick()
    field = row.locator("textarea.seg-editor")
    expect(field).to_be_focused()
    field.fill("Corrected by double click")
    field.press("Enter")
    expect(row.locator(".seg-text")).to_have_text("Corrected by double click")
    assert segment_text(server, account[1], own_meeting, 1)["text"] == "Corrected by double click"


def test_replace_all_corrects_every_line(signed_in: Page, server, account, own_meeting):
    token = account[1]
    segments = api(server, token, "GET", f"/api/v1/meetings/{own_meeting}").json()["transcript"]["segments"]
    word = max((w["word"].strip(".,?!") for s in segments for w in s["words"]), key=len)
    holding = sum(1 for s in segments if word in s["text"])
    signed_in.goto(f"{server.url}/meetings/{own_meeting}")
    signed_in.fill("#replace-find", word)
    signed_in.fill("#replace-with", "Zanzibar")
    signed_in.click("#replace-form button[type=submit]")
    expect(signed_in.locator("#transcript .seg-text", has_text="Zanzibar")).to_have_count(holding)
    after = api(server, token, "GET", f"/api/v1/meetings/{own_meeting}").json()["transcript"]["segments"]
    assert sum(1 for s in after if "Zanzibar" in s["text"]) == holding
    # The fixed name is offered for the vocabulary, and added once.
    offer = signed_in.locator("#vocabulary-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text('"Zanzibar"')
    signed_in.click("#vocabulary-add")
    expect(offer).to_be_hidden()
    assert "Zanzibar" in api(server, token, "GET", "/api/v1/vocabulary").json()["terms"]
    signed_in.fill("#replace-find", "qwertyuiop")
    signed_in.click("#replace-form button[type=submit]")
    expect(signed_in.locator("#toast")).to_contain_text("not in this transcript")
