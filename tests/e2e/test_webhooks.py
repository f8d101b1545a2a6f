"""Webhooks against a real local receiver: signed deliveries when a meeting is processed,
fails or is corrected; retries after a 500 with the same id and body; a receiver that
answers 500 forever, times out, or redirects to another host; the delivery log in the API;
who may see and manage a webhook; a delivery queued before a crash sent after the restart."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support import JFK, Api, ParleyServer, free_port, make_audio, wait_for

ATTEMPTS = 3
PUBLIC = "https://parley.example.com/team"


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook endpoint whose answer depends on the path: /ok (200), /flaky (500 twice,
    then 200), /down (500), /slow (answers after 3 s), /elsewhere (307 to another host),
    /moved (307 to /ok on the same host)."""

    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)
    flaky_left: dict[str, int] = field(default_factory=dict)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def to(self, path: str) -> list[Call]:
        return [call for call in self.calls if call.path.split("?")[0] == path]

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.calls.append(Call(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                route = self.path.split("?")[0]
                if route.startswith("/flaky"):
                    left = receiver.flaky_left.setdefault(route, 2)
                    if left > 0:
                        receiver.flaky_left[route] = left - 1
                        return self.answer(500, b"try later")
                    return self.answer(200, b"ok")
                if route.startswith("/down"):
                    return self.answer(500, b"database on fire")
                if route.startswith("/slow"):
                    time.sleep(3)
                    return self.answer(200, b"late")
                if route.startswith("/elsewhere"):
                    return self.answer(307, b"", {"Location": receiver.url("/ok-elsewhere", host="127.0.0.2")})
                if route.startswith("/moved"):
                    return self.answer(307, b"", {"Location": "/ok-moved"})
                return self.answer(200, b"ok")

            def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except BrokenPipeError:
                    pass  # the sender gave up waiting (the timeout test)

        self.httpd = ThreadingHTTPServer(("0.0.0.0", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def server_env() -> dict[str, str]:
    return {
        "PARLEY_WEBHOOK_ATTEMPTS": str(ATTEMPTS),
        "PARLEY_WEBHOOK_RETRY_SECONDS": "0.3",
        "PARLEY_WEBHOOK_TIMEOUT_SECONDS": "1",
        "PARLEY_PUBLIC_URL": PUBLIC + "/",
    }


@pytest.fixture(scope="module")
def hooked():
    instance = ParleyServer(env=server_env()).start()
    yield instance
    instance.stop()
    instance.remove()


@pytest.fixture(scope="module")
def receiver():
    instance = Receiver().start()
    yield instance
    instance.stop()


def add_webhook(user: Api, url: str, **fields) -> dict:
    response = user.post("/api/v1/webhooks", json={"url": url, **fields})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["secret"].startswith("whsec_")
    return created


def deliveries(user: Api, webhook_id: str) -> list[dict]:
    response = user.get(f"/api/v1/webhooks/{webhook_id}/deliveries")
    assert response.status_code == 200, response.text
    return response.json()


def settled(user: Api, webhook_id: str, count: int = 1, timeout: float = 30) -> list[dict]:
    """The log once `count` deliveries have left the pending state."""

    def done():
        log = deliveries(user, webhook_id)
        finished = [entry for entry in log if entry["state"] != "pending"]
        return log if len(finished) >= count else None

    return wait_for(done, timeout, interval=0.2, what=f"{count} webhook deliveries to settle")


def failed_meeting(user: Api, tmp_path, tag: str) -> str:
    """A meeting that fails at once: uploaded, then cancelled (a `meeting.failed` event)."""
    meeting = user.upload(make_audio(tmp_path / f"{tag}.wav", 2, tag=tag).read_bytes(), title=tag)
    user.cancel(meeting["id"])
    return meeting["id"]


def verify(call: Call, secret: str) -> dict:
    """Checks the signature the way a receiver must, and returns the JSON body."""
    fields = dict(part.split("=", 1) for part in call.headers["parley-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + call.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(fields["v1"], expected), "bad signature"
    assert abs(time.time() - int(fields["t"])) < 120
    body = json.loads(call.body)
    assert body["id"] == call.headers["parley-delivery"] and body["event"] == call.headers["parley-event"]
    return body


def test_processed_and_corrected_meetings_are_delivered_signed(hooked, receiver):
    user = hooked.add_user()
    created = add_webhook(user, receiver.url("/ok/processed"))
    meeting = user.upload(JFK.read_bytes(), title="Signed")
    assert user.wait_status(meeting["id"], timeout=300)["status"] == "synced"
    log = settled(user, created["webhook"]["id"])
    assert [(entry["event"], entry["state"], entry["attempts"], entry["last_status"]) for entry in log] == [
        ("meeting.processed", "delivered", 1, 200)
    ]
    (call,) = receiver.to("/ok/processed")
    body = verify(call, created["secret"])
    assert body["meeting"]["id"] == meeting["id"] and body["meeting"]["status"] == "synced"
    assert body["meeting"]["title"] == "Signed" and body["meeting"]["duration"] > 10
    assert body["links"]["page"] == f"{PUBLIC}/meetings/{meeting['id']}"
    assert body["links"]["transcript"] == f"{PUBLIC}/api/v1/meetings/{meeting['id']}/export?format=txt"
    assert call.headers["content-type"] == "application/json"
    # A forged body with the real signature does not verify.
    with pytest.raises(AssertionError, match="bad signature"):
        verify(Call(call.path, call.headers, call.body.replace(b"Signed", b"Forged")), created["secret"])

    # A correction: rename a speaker.
    speaker = user.get(f"/api/v1/meetings/{meeting['id']}").json()["transcript"]["speakers"][0]["id"]
    renamed = user.request(
        "PATCH", f"/api/v1/meetings/{meeting['id']}/speakers/{speaker}", json={"custom_name": "Jack"}
    )
    assert renamed.status_code == 200, renamed.text
    log = settled(user, created["webhook"]["id"], count=2)
    assert log[0]["event"] == "meeting.corrected" and log[0]["state"] == "delivered", log
    corrected = verify(receiver.to("/ok/processed")[-1], created["secret"])
    assert corrected["event"] == "meeting.corrected" and corrected["meeting"]["status"] == "synced"


def test_retries_after_500_send_the_same_delivery(hooked, receiver, tmp_path):
    user = hooked.add_user()
    created = add_webhook(user, receiver.url("/flaky/a"), events=["meeting.failed"])
    meeting_id = failed_meeting(user, tmp_path, "flaky")
    (entry,) = settled(user, created["webhook"]["id"])
    assert entry["state"] == "delivered" and entry["attempts"] == 3 and entry["last_status"] == 200, entry
    calls = receiver.to("/flaky/a")
    assert len(calls) == 3
    assert len({call.headers["parley-delivery"] for call in calls}) == 1
    assert len({call.body for call in calls}) == 1  # the same bytes every time
    body = verify(calls[-1], created["secret"])
    assert body["event"] == "meeting.failed" and body["meeting"]["id"] == meeting_id
    assert body["meeting"]["failure_reason"] == "cancelled"


def test_a_receiver_that_always_fails_stops_being_retried(hooked, receiver, tmp_path):
    user = hooked.add_user()
    created = add_webhook(user, receiver.url("/down/a"))
    failed_meeting(user, tmp_path, "down")
    (entry,) = settled(user, created["webhook"]["id"])
    assert entry["state"] == "failed" and entry["attempts"] == ATTEMPTS and entry["last_status"] == 500, entry
    assert "HTTP 500: database on fire" in entry["last_error"], entry
    assert f"gave up after {ATTEMPTS} attempts" in entry["last_error"], entry
    time.sleep(2)  # well past the next retry time: no fourth attempt
    assert len(receiver.to("/down/a")) == ATTEMPTS


def test_timeout_and_redirect_to_another_host_are_failures(hooked, receiver, tmp_path):
    user = hooked.add_user()
    slow = add_webhook(user, receiver.url("/slow"), events=["meeting.failed"])
    elsewhere = add_webhook(user, receiver.url("/elsewhere"), events=["meeting.failed"])
    moved = add_webhook(user, receiver.url("/moved"), events=["meeting.failed"])
    failed_meeting(user, tmp_path, "faults")
    (late,) = settled(user, slow["webhook"]["id"], timeout=60)
    assert late["state"] == "failed" and late.get("last_status") is None
    assert "no answer within 1 s" in late["last_error"], late
    (bounced,) = settled(user, elsewhere["webhook"]["id"])
    assert bounced["state"] == "failed" and bounced["last_status"] == 307
    assert "redirect to another host not followed" in bounced["last_error"], bounced
    assert not receiver.to("/ok-elsewhere")
    (followed,) = settled(user, moved["webhook"]["id"])
    assert followed["state"] == "delivered" and followed["attempts"] == 1, followed
    verify(receiver.to("/ok-moved")[-1], moved["secret"])


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.com/hook"},
        {"url": "javascript:alert(1)"},
        {"url": "http://"},
        {"url": "/relative"},
        {"url": "http://user:password@example.com/hook"},
        {"url": "http://example.com/" + "a" * 2100},
        {"url": "http://example.com/hook", "events": []},
        {"url": "http://example.com/hook", "events": ["meeting.exploded"]},
        {"events": ["meeting.failed"]},
        {"url": 7},
    ],
)
def test_bad_webhooks_are_refused_and_change_nothing(hooked, body):
    user = hooked.add_user()
    response = user.post("/api/v1/webhooks", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] in ("bad_webhook_url", "bad_webhook_events", "bad_request")
    assert user.get("/api/v1/webhooks").json() == []


def test_webhooks_are_private_to_who_manages_them(hooked, receiver, tmp_path):
    owner, other = hooked.add_user(), hooked.add_user()
    created = add_webhook(owner, receiver.url("/ok/private"))
    webhook_id = created["webhook"]["id"]
    assert "secret" not in owner.get(f"/api/v1/webhooks/{webhook_id}").json()
    assert other.get("/api/v1/webhooks").json() == []
    for method, path in [("GET", ""), ("GET", "/deliveries"), ("DELETE", "")]:
        assert other.request(method, f"/api/v1/webhooks/{webhook_id}{path}").status_code == 404
    # Another user's meeting does not call it.
    failed_meeting(other, tmp_path, "other")
    time.sleep(1.5)
    assert deliveries(owner, webhook_id) == [] and not receiver.to("/ok/private")
    assert owner.request("DELETE", f"/api/v1/webhooks/{webhook_id}").status_code == 204
    assert owner.get(f"/api/v1/webhooks/{webhook_id}").status_code == 404


def test_workspace_webhooks_are_for_its_admins(hooked, receiver, tmp_path):
    admin, member = hooked.add_user(), hooked.add_user()
    hooked.cli("user", "join", admin.name, "--workspace", "hooks-team", "--admin")
    hooked.join(member, "hooks-team")
    workspace_id = hooked_workspace_id(hooked, "hooks-team")
    refused = member.post("/api/v1/webhooks", json={"url": receiver.url("/ok/team"), "workspace_id": workspace_id})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_admin"
    created = add_webhook(admin, receiver.url("/ok/team"), workspace_id=workspace_id, events=["meeting.failed"])
    assert member.get(f"/api/v1/webhooks/{created['webhook']['id']}").status_code == 404
    # A member's meeting shared with the workspace calls it; a personal one does not.
    shared = member.upload(
        make_audio(tmp_path / "shared.wav", 2, tag="shared").read_bytes(),
        title="Team",
        scope="workspace",
        workspace="hooks-team",
    )
    member.cancel(shared["id"])
    failed_meeting(member, tmp_path, "personal")
    (entry,) = settled(admin, created["webhook"]["id"])
    assert entry["meeting_id"] == shared["id"] and entry["state"] == "delivered"
    time.sleep(1)
    assert len(deliveries(admin, created["webhook"]["id"])) == 1


def hooked_workspace_id(server: ParleyServer, name: str) -> str:
    import sqlite3

    with sqlite3.connect(server.data_dir / "parley.sqlite") as database:
        return database.execute("SELECT id FROM workspace WHERE name = ?", (name,)).fetchone()[0]


def test_a_delivery_queued_before_a_crash_is_sent_after_the_restart(tmp_path):
    receiver = Receiver()
    server = ParleyServer(env={**server_env(), "PARLEY_WEBHOOK_ATTEMPTS": "100"}).start()
    try:
        user = server.add_user()
        created = add_webhook(user, receiver.url("/ok/crash"))  # nothing listens yet: attempts fail
        failed_meeting(user, tmp_path, "crash")
        (entry,) = wait_for(
            lambda: [e for e in deliveries(user, created["webhook"]["id"]) if e["attempts"] >= 1] or None,
            30,
            what="a first attempt to fail",
        )
        assert entry["state"] == "pending" and "could not connect" in entry["last_error"], entry
        server.kill9()
        receiver.start()
        server.start()
        (done,) = settled(user, created["webhook"]["id"])
        assert done["id"] == entry["id"] and done["state"] == "delivered", done
        calls = receiver.to("/ok/crash")
        assert calls and {call.headers["parley-delivery"] for call in calls} == {entry["id"]}
    finally:
        server.stop()
        server.remove()
        if hasattr(receiver, "httpd"):
            receiver.stop()
