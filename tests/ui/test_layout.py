"""Responsive layout and basic accessibility, with screenshots for a human to look at
(artifacts/ui/*.png)."""

from __future__ import annotations

from urllib.parse import quote_plus

import pytest
from playwright.sync_api import Page, expect

from conftest import SpokenPhrase, sign_in, wait_until

WIDTHS = {"desktop": 1280, "phone": 390}

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea, button'))
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null || el.id === 'file-input')
  .filter(el => {
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    const text = el.tagName === 'BUTTON' && el.textContent.trim();
    return !(named || text);
  }).map(el => el.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("device", WIDTHS)
def test_pages_fit_and_are_labelled(
    browser, server, account, processed_meeting, seatbelts: SpokenPhrase, artifacts, device
):
    width = WIDTHS[device]
    context = browser.new_context(
        viewport={"width": width, "height": 900 if device == "desktop" else 844},
        device_scale_factor=1 if device == "desktop" else 2,
    )
    page = context.new_page()
    try:
        page.goto(server.url + "/login")
        assert page.evaluate(UNLABELLED) == [], "unlabelled controls on login"
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=str(artifacts / f"login-{device}.png"), full_page=True)
        sign_in(page, server, account[1])
        pages = {
            "dashboard": "/",
            "meeting": f"/meetings/{processed_meeting}",
            "search": f"/search?q={quote_plus(seatbelts.phrase)}",
            "webhooks": "/webhooks",
            "vocabulary": "/vocabulary",
        }
        for name, path in pages.items():
            page.goto(server.url + path)
            page.wait_for_timeout(600)  # local times, fonts
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
            assert page.evaluate(UNLABELLED) == [], f"unlabelled controls on {name}"
            assert page.evaluate("document.documentElement.lang") == "en"
            if name == "meeting":
                # Who said what stays visible at every width.
                expect(page.locator("#transcript .seg .who").first).to_be_visible()
                expect(page.locator("#player")).to_be_in_viewport()
            page.screenshot(path=str(artifacts / f"{name}-{device}.png"), full_page=True)
    finally:
        context.close()


def test_keyboard_reaches_skip_link_and_words_via_time_links(signed_in: Page, server, processed_meeting):
    signed_in.goto(f"{server.url}/meetings/{processed_meeting}")
    signed_in.keyboard.press("Tab")
    assert signed_in.evaluate("document.activeElement.className") == "skip-link"
    # Segment times are links: a keyboard user can play from any segment.
    first_time = signed_in.locator("#transcript a.ts").first
    first_time.focus()
    signed_in.keyboard.press("Enter")
    expected = float(first_time.get_attribute("href").split("=")[1])
    wait_until(
        signed_in, f"() => Math.abs(document.getElementById('audio').currentTime - {expected}) < 0.5", timeout=5_000
    )
    # The export menu opens from the keyboard.
    signed_in.focus("#export-menu summary")
    signed_in.keyboard.press("Enter")
    expect(signed_in.locator("#export-menu a").first).to_be_visible()
