"""`parley serve` behind Debian's nginx running deploy/nginx/parley.conf: TLS, tus uploads
(interrupted and resumed, with the real tuspy client), live progress over SSE, Range
requests, the forwarded client address, Secure cookies, the HTTP redirect and the hidden
/metrics, all over HTTPS with a self-signed certificate. Every test runs twice: with Parley
at the root of its own server {} (parley.conf), and under /parley/ in a server {} shared
with another application (parley-subpath.conf, PARLEY_BASE_PATH=/parley); see proxy_support."""

from __future__ import annotations

import http.client
import json
import socket
import time

import requests
from tusclient import client as tus_client

from proxy_support import CHUNK, ProxiedApi, Proxy, audio, meeting_of, needs_nginx, original, proxy, user  # noqa: F401
from support import OFFSET_STREAM, TUS, file_sha256, sha256, tus_metadata, wait_for

pytestmark = needs_nginx


# --- TLS, redirect, what the proxy hides -------------------------------------------------------


def test_https_redirect_hsts_and_hidden_metrics(proxy):
    if not proxy.prefix:  # the shared server {} is the other application's to redirect
        plain = requests.get(
            f"http://127.0.0.1:{proxy.http_port}/api/v1/meetings/summary?scope=all", allow_redirects=False, timeout=10
        )
        assert plain.status_code == 308
        assert plain.headers["Location"] == "https://127.0.0.1/api/v1/meetings/summary?scope=all"
    health = requests.get(proxy.url + "/health", verify=str(proxy.cert), timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    if not proxy.prefix:  # parley.conf's server {} settings; the shared one has its own
        assert health.headers["Strict-Transport-Security"].startswith("max-age=")
        assert "nginx/" not in health.headers.get("Server", "")  # server_tokens off
    # /metrics is for the local scraper only. Parley's router also answers the other spellings
    # (sent raw: requests would normalise some of them).
    for path in (
        "/metrics",
        "/metrics/",
        "//metrics",
        "/metrics//",
        "/metrics?x=1",
        "/./metrics",
        "/%6detrics",
        "/api/../metrics",
    ):
        connection = proxy.connection(timeout=10)
        connection.request("GET", proxy.prefix + path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status == 404, path
        assert b"parley_" not in body, path
    assert "parley_queue_length" in requests.get(proxy.server.url + "/metrics", timeout=10).text


# --- tus ---------------------------------------------------------------------------------------


def test_tuspy_upload_interrupted_and_resumed_through_proxy(proxy, user, audio, monkeypatch):
    # tuspy verifies TLS through requests, which takes its CA bundle from the environment.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(proxy.cert))
    source = audio(33)  # about 1 MB
    size, digest = source.stat().st_size, file_sha256(source)
    endpoint = proxy.url + "/api/v1/uploads"
    first = tus_client.TusClient(endpoint, headers=user.api.auth).uploader(
        str(source), chunk_size=CHUNK, metadata={"sha256": digest, "filename": "proxied.wav", "title": "Through nginx"}
    )
    first.upload(stop_at=5 * CHUNK)  # the client goes away after five chunks
    assert first.offset == 5 * CHUNK
    assert first.url.startswith(proxy.url + "/api/v1/uploads/"), first.url
    location = first.url.removeprefix(proxy.url)
    assert user.head_upload(location).headers["Upload-Offset"] == str(5 * CHUNK)

    # A new client with only the URL: HEAD for the offset, then the rest.
    resumed = tus_client.TusClient(endpoint, headers=user.api.auth).uploader(
        str(source), url=first.url, chunk_size=CHUNK
    )
    assert resumed.offset == 5 * CHUNK
    resumed.upload()
    assert resumed.offset == size

    meeting_id = meeting_of(user, location)
    assert user.request("POST", f"/api/v1/meetings/{meeting_id}/cancel").status_code == 200
    stored = original(user, meeting_id)
    assert len(stored) == size and sha256(stored) == digest
    meeting = user.request("GET", f"/api/v1/meetings/{meeting_id}").json()["meeting"]
    assert meeting["title"] == "Through nginx" and meeting["sha256"] == digest


def test_patch_cut_off_mid_body_keeps_what_passed_the_proxy(proxy, user, audio, monkeypatch):
    """proxy_request_buffering off: the bytes of a PATCH whose client vanishes reach Parley
    (a buffering proxy would throw the whole body away), and the upload resumes from them."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(proxy.cert))
    source = audio(20)
    data = source.read_bytes()
    created = user.request(
        "POST",
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(sha256=sha256(data), filename="cut.wav"),
        },
    )
    assert created.status_code == 201, created.text
    location = proxy.app_path(created.headers["Location"])
    sent = 300_000
    connection = proxy.connection()
    connection.putrequest("PATCH", proxy.prefix + location)
    for name, value in {
        **user.api.auth,
        **TUS,
        "Upload-Offset": "0",
        "Content-Type": OFFSET_STREAM,
        "Content-Length": str(len(data)),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(data[:sent])
    # Let nginx pass the bytes on, then vanish without finishing the body.
    wait_for(
        lambda: int(user.head_upload(location).headers["Upload-Offset"]) > 0,
        15,
        what="the first bytes of the PATCH to reach Parley through nginx",
    )
    connection.sock.close()

    def settled() -> int | None:
        first = int(user.head_upload(location).headers["Upload-Offset"])
        time.sleep(0.3)
        second = int(user.head_upload(location).headers["Upload-Offset"])
        return second if first == second else None

    offset = wait_for(settled, 15, what="the offset to settle")
    assert 0 < offset <= sent, offset
    # Parley may still hold the upload until it notices the end of the cut request (423): tuspy retries.
    resumed = tus_client.TusClient(proxy.url + "/api/v1/uploads", headers=user.api.auth).uploader(
        str(source), url=proxy.url + location, chunk_size=CHUNK, retries=20, retry_delay=0.25
    )
    assert resumed.offset == offset
    resumed.upload()
    meeting_id = meeting_of(user, location)
    assert user.request("POST", f"/api/v1/meetings/{meeting_id}/cancel").status_code == 200
    assert sha256(original(user, meeting_id)) == sha256(data)


def announce_body(proxy: Proxy, length: int) -> tuple[int, bytes]:
    """POSTs headers announcing `length` bytes with an invalid token and returns the answer,
    sending no body: Parley answers 401 from the headers alone, nginx 413 past its limit."""
    connection = proxy.connection(timeout=10)
    try:
        connection.putrequest("POST", proxy.prefix + "/api/v1/meetings")
        for name, value in {
            "Authorization": "Bearer prl_not_a_token",
            "Content-Type": "audio/wav",
            "Content-Length": str(length),
        }.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_proxy_body_limit_matches_parleys(proxy):
    """client_max_body_size lets through a body as large as Parley's own limit (Tus-Max-Size,
    2 GB by default) and refuses a larger one before forwarding a byte."""
    limit = int(
        requests.options(proxy.url + "/api/v1/uploads", verify=str(proxy.cert), timeout=10).headers["Tus-Max-Size"]
    )
    assert limit == 2048 << 20
    status, body = announce_body(proxy, limit)
    assert status == 401 and b'"unauthorized"' in body, (status, body)  # reached Parley
    status, body = announce_body(proxy, limit + 1)
    assert status == 413 and b"<center>nginx" in body, (status, body)  # stopped by nginx


# --- live progress -----------------------------------------------------------------------------


def test_event_stream_through_proxy_reports_progress(proxy, user, audio):
    connection = proxy.connection(timeout=30)
    connection.request("GET", proxy.prefix + "/api/v1/events", headers=user.api.auth)
    response = connection.getresponse()
    meeting_id = None
    try:
        assert response.status == 200
        assert response.getheader("Content-Type").startswith("text/event-stream")
        assert response.readline() == b": connected\n"
        # Heartbeats (every second here) arrive while nothing else happens: nothing buffers the stream.
        started = time.monotonic()
        while (line := response.readline()) != b": ping\n":
            assert line, "the stream ended"
            assert time.monotonic() - started < 10, "no heartbeat came through nginx within 10 s"
        assert time.monotonic() - started < 5

        data = audio(5).read_bytes()
        upload = user.request(
            "POST",
            "/api/v1/meetings",
            params={"title": "Live through nginx"},
            data=data,
            headers={"Content-Type": "audio/wav"},
        )
        assert upload.status_code == 201, upload.text
        meeting_id = upload.json()["meeting"]["id"]
        seen, name, payload = [], None, []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = response.readline()
            assert line, "the stream ended"
            text = line.decode().rstrip("\n")
            if text.startswith("event:"):
                name = text.split(":", 1)[1].strip()
            elif text.startswith("data:"):
                payload.append(text.split(":", 1)[1].strip())
            elif text == "" and payload:
                event = json.loads("\n".join(payload))
                payload = []
                if name == "meeting" and event["meeting_id"] == meeting_id:
                    seen.append(event)
                    if event["status"] == "processing" and event.get("stage"):
                        break
                    assert event["status"] not in ("failed", "synced"), event
        else:
            raise AssertionError(f"no progress event within 90 s: {seen}\n{proxy.log_tail()}")
        progress = seen[-1]
        assert progress["status"] == "processing" and 0 <= progress["progress"] <= 1, progress
        assert progress["owner_id"] == upload.json()["meeting"]["owner_id"]
    finally:
        connection.sock.shutdown(socket.SHUT_RDWR)
        connection.close()
        if meeting_id:  # the test needs the event, not a transcript: free the engine
            user.request("POST", f"/api/v1/meetings/{meeting_id}/cancel")


# --- Range -------------------------------------------------------------------------------------


def test_range_requests_pass_through(proxy, user, audio):
    data = audio(4).read_bytes()
    upload = user.request(
        "POST", "/api/v1/meetings", params={"title": "Ranges"}, data=data, headers={"Content-Type": "audio/wav"}
    )
    assert upload.status_code == 201, upload.text
    meeting_id = upload.json()["meeting"]["id"]
    assert user.request("POST", f"/api/v1/meetings/{meeting_id}/cancel").status_code == 200
    path, size = f"/api/v1/meetings/{meeting_id}/audio/stream", len(data)
    params = {"variant": "original"}

    part = user.request("GET", path, params=params, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{size}"
    assert part.headers["Accept-Ranges"] == "bytes"
    assert part.content == data[1000:2000]
    suffix = user.request("GET", path, params=params, headers={"Range": "bytes=-700"})
    assert suffix.status_code == 206 and suffix.content == data[-700:]
    etag = user.request("HEAD", path, params=params).headers["ETag"]
    assert etag == f'"{sha256(data)}"'
    matching = user.request("GET", path, params=params, headers={"Range": "bytes=10-19", "If-Range": etag})
    assert matching.status_code == 206 and matching.content == data[10:20]
    stale = user.request("GET", path, params=params, headers={"Range": "bytes=10-19", "If-Range": '"0000"'})
    assert stale.status_code == 200 and stale.content == data
    head = user.request("HEAD", path, params=params, headers={"Range": "bytes=5-9"})
    assert head.status_code == 206 and head.headers["Content-Range"] == f"bytes 5-9/{size}" and head.content == b""
    past = user.request("GET", path, params=params, headers={"Range": f"bytes={size}-"})
    assert past.status_code == 416 and past.headers["Content-Range"] == f"bytes */{size}"
    # Gzip is on at the http level (as in Debian's nginx.conf): a range must still be raw bytes.
    gzipped = user.request("GET", path, params=params, headers={"Range": "bytes=0-99", "Accept-Encoding": "gzip"})
    assert gzipped.status_code == 206 and "Content-Encoding" not in gzipped.headers
    assert gzipped.content == data[:100]


# --- what Parley learns from the proxy ---------------------------------------------------------


def bad_token_status(proxy: Proxy, source: str, **headers: str) -> tuple[int, str]:
    connection = proxy.connection(source=source, timeout=10)
    try:
        connection.request(
            "GET",
            proxy.prefix + "/api/v1/meetings/summary",
            headers={"Authorization": "Bearer prl_not_a_token", **headers},
        )
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def test_failed_sign_ins_are_counted_per_forwarded_client_address(proxy):
    """Parley keys unauthenticated limits on the address nginx forwards (X-Forwarded-For from
    the trusted 127.0.0.1), not on nginx's own address, and a client cannot choose its key by
    sending X-Forwarded-For itself. Clients here connect from other loopback addresses."""
    statuses = []
    for _ in range(30):
        status, body = bad_token_status(proxy, "127.0.0.2")
        statuses.append(status)
        if status == 429:
            assert "too many failed sign-ins" in body, body
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}, statuses
    assert len(statuses) > 5, statuses  # a burst of failures is allowed first
    # Another client behind the same proxy has its own bucket, even when it claims to be the
    # blocked one: nginx appends the real address and Parley takes the last entry.
    assert bad_token_status(proxy, "127.0.0.3")[0] == 401
    assert bad_token_status(proxy, "127.0.0.4", **{"X-Forwarded-For": "127.0.0.2"})[0] == 401
    # And the blocked client stays blocked whatever it claims.
    assert bad_token_status(proxy, "127.0.0.2", **{"X-Forwarded-For": "127.0.0.9"})[0] == 429


def test_sign_in_through_proxy_sets_a_secure_cookie(proxy):
    token = proxy.server.add_user().token
    origin = proxy.origin  # the browser's origin, port included: nginx must forward Host with it
    through = requests.post(
        proxy.url + "/login",
        data={"token": token},
        headers={"Origin": origin},
        allow_redirects=False,
        verify=str(proxy.cert),
        timeout=10,
    )
    assert through.status_code == 303, through.text
    assert through.headers["Location"] == proxy.prefix + "/"
    cookie = through.headers["Set-Cookie"]
    assert cookie.startswith("parley_session=pss_") and "; Secure" in cookie, cookie
    # The same sign-in straight to Parley over plain HTTP gets no Secure flag.
    direct = requests.post(
        proxy.server.url + "/login",
        data={"token": token},
        headers={"Origin": proxy.server.url},
        allow_redirects=False,
        timeout=10,
    )
    assert direct.status_code == 303 and "Secure" not in direct.headers["Set-Cookie"]
    # The session works through the proxy.
    session = cookie.split(";", 1)[0].split("=", 1)[1]
    page = requests.get(
        proxy.url + "/", cookies={"parley_session": session}, allow_redirects=False, verify=str(proxy.cert), timeout=10
    )
    assert page.status_code == 200, page.status_code
