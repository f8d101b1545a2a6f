"""`parley agent --ui`: the local web UI merges the client's library with the server's list,
marks each meeting 🏠 local only, ☁️ server only or 🏠☁️ both with its sync status, and still
shows the local library when the server is unreachable."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
from playwright.sync_api import BrowserContext, expect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "e2e"))

from client_support import Client  # noqa: E402
from server import Server  # noqa: E402
from support import free_port, make_audio, wait_for  # noqa: E402


def card(page, meeting_id: str):
    return page.locator(f'#cards .card[data-meeting-id="{meeting_id}"]')


def test_agent_ui_merges_local_and_server_meetings(context: BrowserContext, artifacts: Path):
    server = Server().start()
    agent: subprocess.Popen | None = None
    work = Path(tempfile.mkdtemp(prefix="parley-agent-ui-"))
    try:
        _, token = server.add_user("grace")
        client = Client(work / "home")
        client.login(server.url, token)

        # A: imported and synced, so on this computer and the server.
        [a] = client.import_files([make_audio(work / "standup.wav", 4)])
        run = client.sync("--wait", "--timeout", "240", timeout=300)
        assert run.ok, run.stderr
        # B: imported, then its library copy removed, so the agent's first pass marks it
        # failed (not retryable) instead of uploading it: it stays local only, whatever the timing.
        [b] = client.import_files([make_audio(work / "retro.wav", 3)])
        with sqlite3.connect(client.home / "library.sqlite") as db:
            [(local_path,)] = db.execute("SELECT local_path FROM recording WHERE id = ?", (b["id"],)).fetchall()
        Path(local_path).unlink()
        # C: uploaded to the server directly by the same user, so server only.
        response = requests.post(
            server.url + "/api/v1/meetings",
            params={"title": "Board call"},
            data=make_audio(work / "board.wav", 3).read_bytes(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "audio/wav"},
            timeout=60,
        )
        assert response.status_code in (200, 201), response.text
        c = response.json()["meeting"]["id"]

        port = free_port()
        agent = client.spawn("agent", "--ui", "--ui-port", str(port), "--interval", "3600")
        ui = f"http://127.0.0.1:{port}/"

        def answering() -> bool:
            assert agent.poll() is None, f"parley agent exited: {agent.communicate()}"
            try:
                return requests.get(ui, timeout=5).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(answering, 60, interval=0.1, what="the agent's UI to answer")
        wait_for(
            lambda: next(r for r in client.recordings() if r["id"] == b["id"])["status"] == "failed",
            60,
            interval=0.3,
            what="the agent's first pass to mark B failed",
        )

        page = context.new_page()
        page.goto(ui)
        expect(card(page, a["id"]).locator("[data-role=origin]")).to_have_attribute("data-origin", "both")
        expect(card(page, a["id"]).locator("[data-role=origin]")).to_have_text("🏠☁️")
        expect(card(page, a["id"]).locator("[data-role=where]")).to_have_text("On this computer and the server")
        expect(card(page, a["id"]).locator("[data-role=badge]")).to_have_text("Ready")
        a_server = next(r for r in client.recordings() if r["id"] == a["id"])["server_id"]
        expect(card(page, a["id"]).locator(".card-title a")).to_have_attribute(
            "href", f"{server.url}/meetings/{a_server}"
        )

        expect(card(page, b["id"]).locator("[data-role=origin]")).to_have_attribute("data-origin", "local")
        expect(card(page, b["id"]).locator("[data-role=origin]")).to_have_text("🏠")
        expect(card(page, b["id"]).locator("[data-role=where]")).to_have_text("Only on this computer")
        expect(card(page, b["id"]).locator("[data-role=badge]")).to_have_text("Failed")
        expect(card(page, b["id"])).to_have_attribute("data-status", "failed")
        expect(card(page, b["id"]).locator(".failure")).to_contain_text("local file disappeared")
        assert card(page, b["id"]).locator(".card-title a").count() == 0, "a local-only meeting has no server page"

        expect(card(page, c).locator("[data-role=origin]")).to_have_attribute("data-origin", "server")
        expect(card(page, c).locator("[data-role=origin]")).to_have_text("☁️")
        expect(card(page, c).locator("[data-role=where]")).to_have_text("Only on the server")
        expect(card(page, c).locator(".card-title a")).to_have_text("Board call")
        assert page.locator("#cards .card").count() == 3
        assert page.locator("#notice").count() == 0
        # The local UI has no account: no sign-out form, no sign-in redirect.
        assert page.locator("form.signout").count() == 0
        # The shared stylesheet is served too (the page is styled, not bare HTML).
        assert page.evaluate("getComputedStyle(document.querySelector('.card')).display") != "inline"
        page.screenshot(path=str(artifacts / "agent-dashboard.png"), full_page=True)

        # Server gone: the local library still renders, with a notice saying why C is missing.
        server.stop()
        page.goto(ui)
        expect(page.locator("#notice")).to_contain_text("not reachable")
        # A is still known to be on the server (the library has its server id): last known state.
        expect(card(page, a["id"]).locator("[data-role=origin]")).to_have_attribute("data-origin", "both")
        expect(card(page, b["id"]).locator("[data-role=origin]")).to_have_attribute("data-origin", "local")
        expect(card(page, b["id"]).locator("[data-role=badge]")).to_have_text("Failed")
        assert card(page, c).count() == 0
        page.screenshot(path=str(artifacts / "agent-dashboard-offline.png"), full_page=True)
    finally:
        if agent is not None and agent.poll() is None:
            agent.terminate()
            try:
                agent.wait(20)
            except subprocess.TimeoutExpired:
                agent.kill()
        server.stop()
        server.remove()
