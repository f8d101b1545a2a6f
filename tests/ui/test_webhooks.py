"""The webhooks page: add one with the form (the secret shown once), see its deliveries
in the log, delete it — without scripts, and with the form's own error messages."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Page, expect

from conftest import sign_in, wait_until  # noqa: F401
from server import REPO

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from support import Api, free_port, make_audio, wait_for  # noqa: E402


def receiver() -> tuple[ThreadingHTTPServer, list[bytes]]:
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(204)
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, bodies


def test_add_see_deliveries_and_delete(page: Page, server, tmp_path: Path):
    name, token = server.add_user()
    httpd, bodies = receiver()
    try:
        sign_in(page, server, token, "/webhooks")
        expect(page.locator("h1")).to_have_text("Webhooks")
        expect(page.locator(".empty")).to_have_text("No webhooks yet.")

        page.fill("#webhook-url", "ftp://example.com/nope")
        page.click("#webhook-form button[type=submit]")
        expect(page.locator("#webhook-error")).to_contain_text("http:// or https://")

        url = f"http://127.0.0.1:{httpd.server_port}/parley"
        page.fill("#webhook-url", url)
        page.uncheck("input[name=event][value='meeting.corrected']")
        page.click("#webhook-form button[type=submit]")
        secret = page.locator("#webhook-secret").inner_text()
        assert secret.startswith("whsec_")
        card = page.locator(".webhook")
        expect(card.locator(".webhook-url")).to_have_text(url)
        expect(card.locator(".meta")).to_contain_text("Processed, Failed")

        # A meeting that fails (uploaded, then cancelled) is delivered and logged.
        api = Api(server, token, name)
        meeting = api.upload(make_audio(tmp_path / "hook.wav", 2, tag="hook").read_bytes(), title="Hooked")
        api.cancel(meeting["id"])
        wait_for(lambda: bodies, 30, what="the webhook to be called")
        page.goto(server.url + "/webhooks")  # coming back shows the log, never the secret again
        expect(page.locator("#webhook-secret")).to_have_count(0)
        row = page.locator(".webhook tr.delivery").first
        expect(row).to_have_attribute("data-state", "delivered")
        expect(row).to_contain_text("meeting.failed")
        expect(row).to_contain_text("HTTP 204")

        page.click(".webhook form button.danger")
        page.wait_for_url("**/webhooks")
        expect(page.locator(".webhook")).to_have_count(0)
    finally:
        httpd.shutdown()
        httpd.server_close()
