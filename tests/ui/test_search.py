"""Search: a spoken phrase finds the meeting and opens it at the moment it was said."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

import requests
from playwright.sync_api import Page, expect

from conftest import SpokenPhrase, squashed, wait_until, web_session


def test_search_phrase_opens_meeting_at_the_time(signed_in: Page, server, processed_meeting, seatbelts: SpokenPhrase):
    # The phrase is typed as this machine's model spelled it ("seat belts" or "seatbelts").
    spoken = seatbelts.segment

    signed_in.click("nav.mainnav >> text=Search")
    signed_in.fill("#q", seatbelts.phrase)
    signed_in.click(".search-form button[type=submit]")
    expect(signed_in).to_have_url(
        f"{server.url}/search?q={quote_plus(seatbelts.phrase)}&speaker=&from=&to=&scope=all&mode=hybrid"
    )
    # Other meetings may say the same words (another test uploads this clip too): take this one's hit.
    result = signed_in.locator(f'.result:has(a.result-link[href^="/meetings/{processed_meeting}#"])').first
    expect(result.locator(".snippet mark").first).to_be_visible()
    assert squashed(seatbelts.word) in squashed(result.locator(".snippet").inner_text())
    link = result.locator("a.result-link")
    href = link.get_attribute("href")
    assert href.startswith(f"/meetings/{processed_meeting}#t=")
    # The hit's time is inside the segment that said it (the API may point at the first
    # matching word rather than the segment's start).
    seconds = float(href.split("#t=")[1])
    assert spoken["start"] - 0.01 <= seconds <= spoken["end"] + 0.01, (seconds, spoken)
    link.click()
    expect(signed_in).to_have_url(f"{server.url}{href}")
    wait_until(
        signed_in, f"() => Math.abs(document.getElementById('audio').currentTime - {seconds}) < 0.5", timeout=10_000
    )
    expect(signed_in.locator(".seg.current")).to_contain_text(re.compile(re.escape(seatbelts.word), re.IGNORECASE))


def test_search_filters_and_no_results(signed_in: Page, server, processed_meeting, seatbelts: SpokenPhrase):
    word = seatbelts.word  # a word the transcript holds, as this machine spelled it
    signed_in.goto(f"{server.url}/search?q={word}&speaker=Nobody+Here")
    expect(signed_in.locator(".result")).to_have_count(0)
    expect(signed_in.locator("#result-count")).to_have_text(f"0 results for “{word}”")
    signed_in.goto(f"{server.url}/search?q={word}&from=2000-01-01&to=2000-12-31")
    expect(signed_in.locator(".result")).to_have_count(0)
    signed_in.goto(f"{server.url}/search?q={word}&from=2000-01-01")
    expect(signed_in.locator(".result").first).to_be_visible()
    signed_in.goto(f"{server.url}/search?q={word}&from=yesterday")
    expect(signed_in.locator(".alert.error")).to_contain_text("From")


def test_snippets_escape_everything_but_marks(server, account):
    # A query that reaches the page verbatim cannot inject markup.
    response = requests.get(
        server.url + "/search",
        params={"q": "<script>alert(1)</script>"},
        cookies={"parley_session": web_session(server.url, account[1])},
        timeout=10,
    )
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
