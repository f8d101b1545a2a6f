"""The meeting page: streaming playback with Range, highlighting, seeking from words and
#t= links, speaker renames, exports, and reading without JavaScript."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Page, expect

from conftest import SpokenPhrase, sign_in, wait_until, web_session
from server import wait_for

AUDIO = "document.getElementById('audio')"


def open_meeting(page: Page, server, meeting_id: str, fragment: str = "") -> None:
    page.goto(f"{server.url}/meetings/{meeting_id}{fragment}")
    wait_until(page, f"() => {AUDIO}.readyState >= 1", timeout=15_000)


def test_play_streams_and_highlights(signed_in: Page, server, processed_meeting):
    ranges = []
    signed_in.on(
        "response",
        lambda response: ranges.append((response.status, response.request.headers.get("range")))
        if "/audio/stream" in response.url
        else None,
    )
    open_meeting(signed_in, server, processed_meeting)
    assert signed_in.evaluate(f"{AUDIO}.paused")
    # Press play with the keyboard on the player's own controls.
    signed_in.focus("#audio")
    signed_in.keyboard.press("Space")
    wait_until(signed_in, f"() => !{AUDIO}.paused", timeout=5_000)
    start = signed_in.evaluate(f"{AUDIO}.currentTime")
    signed_in.wait_for_timeout(1500)
    now = signed_in.evaluate(f"{AUDIO}.currentTime")
    assert now > start + 0.5, (start, now)
    # The current segment and word are marked while it plays.
    signed_in.wait_for_selector(".seg.current .w.current", timeout=5_000)
    word_start = float(signed_in.locator(".w.current").get_attribute("data-start"))
    assert abs(word_start - signed_in.evaluate(f"{AUDIO}.currentTime")) < 2.0
    # The browser streamed with Range requests (206), not a whole download.
    assert any(status == 206 and header for status, header in ranges), ranges


def test_click_a_word_seeks_there(signed_in: Page, server, processed_meeting):
    open_meeting(signed_in, server, processed_meeting)
    words = signed_in.locator("#transcript .w")
    assert words.count() > 20
    target = words.nth(words.count() - 5)
    expected = float(target.get_attribute("data-start"))
    assert expected > 5
    target.click()
    wait_until(signed_in, f"() => Math.abs({AUDIO}.currentTime - {expected}) < 0.5", timeout=5_000)
    assert abs(signed_in.evaluate(f"{AUDIO}.currentTime") - expected) < 0.5
    expect(target).to_have_class("w current", timeout=5_000)


def test_time_link_in_url_seeks_on_load(signed_in: Page, server, processed_meeting):
    segment = signed_in.context.request.get(f"{server.url}/api/v1/meetings/{processed_meeting}").json()["transcript"][
        "segments"
    ][-2]
    open_meeting(signed_in, server, processed_meeting, f"#t={segment['start']:.2f}")
    wait_until(signed_in, f"() => Math.abs({AUDIO}.currentTime - {segment['start']}) < 0.5", timeout=5_000)
    # Action items and summary lines link to their moment too.
    link = signed_in.locator("#action-items a.ts, #summary a.ts").first
    href = link.get_attribute("href")
    seconds = float(href.split("#t=")[1])
    link.click()
    wait_until(signed_in, f"() => Math.abs({AUDIO}.currentTime - {seconds}) < 0.5", timeout=5_000)


def test_rename_speaker_shows_in_transcript_after_reload(signed_in: Page, server, processed_meeting):
    open_meeting(signed_in, server, processed_meeting)
    speaker = signed_in.locator(".speaker").first
    speaker_id = speaker.get_attribute("data-speaker")
    speaker.locator("details.speaker-edit summary").click()
    field = speaker.locator("form.rename input")
    field.fill("Grace Hopper")
    with signed_in.expect_response(lambda r: r.request.method == "PATCH" and "/speakers/" in r.url) as answer:
        speaker.locator("form.rename button").click()
    assert answer.value.status == 200
    # Updated in place at once...
    expect(signed_in.locator(f'#transcript .who[data-speaker-name="{speaker_id}"]').first).to_have_text("Grace Hopper")
    # ...and stored: a fresh page renders the name on the server.
    signed_in.reload()
    names = signed_in.locator(f'#transcript .who[data-speaker-name="{speaker_id}"]')
    assert names.count() > 0
    assert set(names.all_inner_texts()) == {"Grace Hopper"}
    expect(signed_in.locator(f'.speaker[data-speaker="{speaker_id}"] .speaker-name')).to_have_text("Grace Hopper")


def test_export_menu_links_download(signed_in: Page, server, processed_meeting):
    open_meeting(signed_in, server, processed_meeting)
    signed_in.click("#export-menu summary")
    formats = signed_in.locator("#export-menu a").evaluate_all("links => links.map(a => a.dataset.format)")
    assert set(formats) == {"txt", "json", "srt", "vtt", "rttm", "md"}
    with signed_in.expect_download() as download:
        signed_in.click("#export-menu a[data-format=vtt]")
    path = download.value.path()
    assert open(path, encoding="utf-8").read().startswith("WEBVTT")


def test_reading_works_without_javascript(browser, server, account, processed_meeting, seatbelts: SpokenPhrase):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, server, account[1])  # the sign-in form itself needs no script
        page.goto(f"{server.url}/meetings/{processed_meeting}")
        transcript = page.locator("#transcript")
        expect(transcript).to_be_visible()
        assert page.locator("#transcript .seg").count() >= 3
        expect(transcript).to_contain_text(re.compile(re.escape(seatbelts.word), re.IGNORECASE))
        expect(page.locator("#summary")).to_be_visible()
        expect(page.locator("#speakers .speaker").first).to_be_visible()
        # Controls that need scripts are not offered.
        assert page.locator("#reprocess-form").is_hidden()
        assert page.locator(".speaker-edit").first.is_hidden()
        # The player is a plain <audio> with the streaming source.
        assert page.locator("#audio").get_attribute("src") == f"/api/v1/meetings/{processed_meeting}/audio/stream"
        # Dashboard and search render too.
        page.goto(server.url + "/")
        expect(page.locator(f'.card[data-meeting-id="{processed_meeting}"]')).to_be_visible()
        page.goto(f"{server.url}/search?q={seatbelts.word}")
        expect(page.locator(".result").first).to_be_visible()
        expect(page.locator(".result mark").first).to_have_text(seatbelts.word, ignore_case=True)
    finally:
        context.close()


def test_unknown_meeting_is_a_404_page(signed_in: Page, server):
    response = signed_in.goto(server.url + "/meetings/no-such-meeting")
    assert response.status == 404
    expect(signed_in.locator("h1")).to_have_text("Not found")


def test_someone_elses_meeting_is_not_shown(browser, server, processed_meeting):
    _, token = server.add_user()
    response = requests.get(
        f"{server.url}/meetings/{processed_meeting}",
        cookies={"parley_session": web_session(server.url, token)},
        timeout=10,
    )
    assert response.status_code == 404


def test_reprocess_menu_offers_the_servers_models(signed_in: Page, server, processed_meeting):
    """The re-process menu lists the models this server can transcribe with, and asking for
    one sends it with the request (re-running from transcription). The request is stopped
    in the browser, so the shared meeting is left as it is."""
    open_meeting(signed_in, server, processed_meeting)
    options = signed_in.locator("#reprocess-model option").all_inner_texts()
    assert "tiny.en" in options, options
    signed_in.select_option("#from-stage", "diarize")
    signed_in.select_option("#reprocess-model", "tiny.en")
    sent = []

    def capture(route):
        sent.append(route.request.post_data_json)
        route.abort()

    signed_in.route("**/process-async", capture)
    signed_in.on("dialog", lambda dialog: dialog.accept())
    signed_in.click("#reprocess-form button[type=submit]")
    wait_for(lambda: sent, 10, what="the re-process request")
    assert sent[0] == {"from_stage": "transcribe", "model": "tiny.en"}, sent
