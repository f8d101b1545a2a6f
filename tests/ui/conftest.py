"""Fixtures for the browser tests: one server, one Chromium, a signed-in user, and one
recording uploaded through the dashboard and processed (shared by the meeting tests)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).parent))

from server import ARTIFACTS, CHROMIUM, EVAL_DIR, Server  # noqa: E402
from support import SpokenPhrase, find_spoken, squashed, web_session  # noqa: E402,F401

DIARIZATION = EVAL_DIR / "picovoice-leopard" / "diarization_test.wav"


@pytest.fixture(scope="session")
def server():
    instance = Server().start()
    yield instance
    instance.stop()
    instance.remove()


@pytest.fixture(scope="session")
def account(server) -> tuple[str, str]:
    """(name, token) of the user every signed-in test uses."""
    return server.add_user("ada")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"]
        )
        yield instance
        instance.close()


@pytest.fixture
def context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


def wait_until(page: Page, expression: str, arg=None, timeout: float = 10_000) -> None:
    """Polls `expression` (a JS function) from the test side. Playwright's own
    wait_for_function evaluates strings inside the page, which the pages' strict CSP
    (no 'unsafe-eval') refuses once it has to poll."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        if page.evaluate(expression, arg):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout / 1000:.0f}s waiting for {expression}")
        time.sleep(0.05)


def sign_in(page: Page, server: Server, token: str, next_path: str = "/") -> None:
    page.goto(server.url + next_path)
    page.wait_for_url("**/login**")
    page.fill("#token", token)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def signed_in(page: Page, server: Server, account) -> Page:
    sign_in(page, server, account[1])
    return page


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


_uploaded: dict[str, object] = {}


def upload_through_dashboard(page: Page, server: Server, path: Path, timeout: float = 240) -> dict:
    """Uploads `path` with the dashboard's file input and waits, on the same page (no
    reload), until its card says the meeting is processed. Returns what was seen."""
    page.goto(server.url + "/")
    page.evaluate("window.__sameDocument = true")
    statuses: list[str] = []
    page.expose_function("__recordStatus", lambda status: statuses.append(status))
    page.evaluate("""() => new MutationObserver(() => {
        document.querySelectorAll('#cards .card').forEach(card => window.__recordStatus(card.dataset.status));
    }).observe(document.getElementById('cards'), {subtree: true, childList: true, attributes: true})""")
    page.set_input_files("#file-input", str(path))
    link = page.locator("#uploads .upload-row.done a.meeting-link")
    link.wait_for(timeout=60_000)
    meeting_id = link.get_attribute("href").rsplit("/", 1)[1]
    card = page.locator(f'#cards .card[data-meeting-id="{meeting_id}"]')
    card.wait_for(timeout=10_000)
    wait_until(
        page,
        "id => document.querySelector(`#cards .card[data-meeting-id=\"${id}\"]`)?.dataset.status === 'synced'",
        meeting_id,
        timeout=timeout * 1000,
    )
    return {
        "meeting_id": meeting_id,
        "statuses": statuses,
        "same_document": page.evaluate("window.__sameDocument === true"),
        "badge": card.locator("[data-role=badge]").inner_text(),
        "progress_hidden": card.locator("[data-role=progress]").is_hidden(),
        "speaker_chips": card.locator(".chip").count(),
    }


@pytest.fixture
def processed_meeting(signed_in: Page, server: Server, artifacts) -> str:
    """The id of the diarization clip, uploaded through the dashboard once per session."""
    if "result" not in _uploaded:
        _uploaded["result"] = upload_through_dashboard(signed_in, server, DIARIZATION)
    return _uploaded["result"]["meeting_id"]  # type: ignore[index]


@pytest.fixture
def upload_result(processed_meeting) -> dict:
    return _uploaded["result"]  # type: ignore[return-value]


@pytest.fixture
def seatbelts(signed_in: Page, server: Server, processed_meeting) -> SpokenPhrase:
    """ "Fasten your seatbelts" from the diarization clip, found through the API first."""
    detail = signed_in.context.request.get(f"{server.url}/api/v1/meetings/{processed_meeting}").json()
    return find_spoken(detail["transcript"]["segments"], "fasten your seatbelts")
