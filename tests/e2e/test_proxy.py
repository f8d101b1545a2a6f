"""`parley serve` behind Debian's nginx running deploy/nginx/parley.conf: TLS, tus uploads
(interrupted and resumed, with the real tuspy client), live progress over SSE, Range
requests, the forwarded client address, Secure cookies, the HTTP redirect and the hidden
/metrics, all over HTTPS with a self-signed certificate.

nginx runs as a foreground child of the test (`daemon off`) with its own prefix, logs and
temporary directories; the site file is the deployed one with only ports, certificate paths
and the upstream address replaced. Everything listens and connects on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from tusclient import client as tus_client

from support import (OFFSET_STREAM, REPO, TUS, Api, ParleyServer, file_sha256, free_port, make_audio, sha256,
                     tus_metadata, wait_for)

NGINX = Path("/usr/sbin/nginx")
SITE = REPO / "deploy" / "nginx" / "parley.conf"
CHUNK = 64 * 1024

pytestmark = pytest.mark.skipif(
    not NGINX.is_file(), reason="nginx is not installed (/usr/sbin/nginx missing; scripts/system-packages.sh installs it)")


def render_site(template: str, *, upstream_port: int, http_port: int, https_port: int, cert: Path, key: Path,
                acme_root: Path) -> str:
    """The deployed site file with test values. Every replaced text must be there exactly as
    expected, so that a change to parley.conf that the test no longer covers fails here."""
    replacements = [
        ("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/parley.example.com/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/parley.example.com/privkey.pem", str(key)),
        ("/var/www/letsencrypt", str(acme_root)),
    ]
    for old, new in replacements:
        assert template.count(old) == 1, f"{SITE} should contain {old!r} exactly once"
        template = template.replace(old, new)
    # IPv6 listeners are left out: the test talks to 127.0.0.1 only.
    lines = [line for line in template.splitlines() if not line.strip().startswith("listen [::]:")]
    return "\n".join(lines) + "\n"


def main_config(tmp: Path, site: Path) -> str:
    """A stand-in for Debian's /etc/nginx/nginx.conf (same http-level settings that matter:
    sendfile, gzip on) that includes the site and keeps every file nginx writes in `tmp`."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must reach files in tmp
    temp = "\n".join(f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 1;
error_log {tmp / 'error.log'} info;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    default_type application/octet-stream;
    gzip on;
    access_log {tmp / 'access.log'};
{temp}
    include {site};
}}
"""


@dataclass
class Proxy:
    server: ParleyServer
    https_port: int
    http_port: int
    cert: Path
    tmp: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def log_tail(self) -> str:
        parts = []
        for name in ("nginx.out", "error.log"):
            path = self.tmp / name
            if path.exists():
                parts.append(f"--- {name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-30:]))
        parts.append("--- parley\n" + self.server.log_tail())
        return "\n".join(parts)

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def connection(self, source: str = "127.0.0.1", timeout: float = 30) -> http.client.HTTPSConnection:
        """A raw HTTPS connection to nginx from `source` (any 127.x address is loopback)."""
        return http.client.HTTPSConnection("127.0.0.1", self.https_port, timeout=timeout, context=self.tls(),
                                           source_address=(source, 0))


class ProxiedApi:
    """A user's requests through nginx: HTTPS, the test certificate as the only trusted CA."""

    def __init__(self, proxy: Proxy, api: Api):
        self.proxy, self.api = proxy, api
        self.session = requests.Session()
        # Not from the environment: REQUESTS_CA_BUNDLE would override session.verify, and a
        # proxy setting would send loopback traffic elsewhere.
        self.session.trust_env = False
        self.session.headers.update(api.auth)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("verify", str(self.proxy.cert))
        return self.session.request(method, self.proxy.url + path, **kwargs)

    def head_upload(self, location: str) -> requests.Response:
        return self.request("HEAD", location, headers=TUS)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=30)
    server = ParleyServer(env={
        "PARLEY_TRUSTED_PROXIES": "127.0.0.1",
        # Limits on (so that failed sign-ins are counted per address), generous for the rest.
        "PARLEY_RATE_LIMIT": "50",
        # Frequent heartbeats: they show the event stream is not held back by the proxy.
        "PARLEY_SSE_HEARTBEAT_SECONDS": "1",
    }).start()
    nginx = None
    try:
        (tmp / "acme").mkdir()
        https_port, http_port = free_port(), free_port()
        site = tmp / "parley.conf"
        site.write_text(render_site(SITE.read_text(), upstream_port=server.port, http_port=http_port,
                                    https_port=https_port, cert=cert, key=key, acme_root=tmp / "acme"))
        conf = tmp / "nginx.conf"
        conf.write_text(main_config(tmp, site))
        command = [str(NGINX), "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log"),
                   "-g", f"daemon off; pid {tmp / 'nginx.pid'};"]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, f"nginx -t refused the rendered config:\n{check.stderr}"
        with open(tmp / "nginx.out", "wb") as out:
            nginx = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        instance = Proxy(server, https_port, http_port, cert, tmp)

        def answering() -> bool:
            assert nginx.poll() is None, f"nginx exited:\n{instance.log_tail()}"
            try:
                return requests.get(instance.url + "/health", verify=str(cert), timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(answering, 20, interval=0.1, what="nginx to answer /health over HTTPS")
        yield instance
    finally:
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful: workers finish, then the master exits
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait(10)
        server.stop()
        server.remove()


@pytest.fixture
def user(proxy) -> ProxiedApi:
    return ProxiedApi(proxy, proxy.server.add_user())


@pytest.fixture
def audio(tmp_path):
    def make(seconds: float) -> Path:
        return make_audio(tmp_path / f"speech-{seconds}-{time.monotonic_ns()}.wav", seconds)
    return make


def meeting_of(user: ProxiedApi, location: str) -> str:
    response = user.head_upload(location)
    assert response.status_code == 200, response.text
    assert response.headers["Upload-Offset"] == response.headers["Upload-Length"]
    return response.headers["Parley-Meeting-Id"]


def original(user: ProxiedApi, meeting_id: str) -> bytes:
    response = user.request("GET", f"/api/v1/meetings/{meeting_id}/audio/stream", params={"variant": "original"})
    assert response.status_code == 200, response.text
    return response.content


# --- TLS, redirect, what the proxy hides -------------------------------------------------------

def test_https_redirect_hsts_and_hidden_metrics(proxy):
    plain = requests.get(f"http://127.0.0.1:{proxy.http_port}/api/v1/meetings/summary?scope=all",
                         allow_redirects=False, timeout=10)
    assert plain.status_code == 308
    assert plain.headers["Location"] == "https://127.0.0.1/api/v1/meetings/summary?scope=all"
    health = requests.get(proxy.url + "/health", verify=str(proxy.cert), timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert health.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "nginx/" not in health.headers.get("Server", "")  # server_tokens off
    # /metrics is for the local scraper only. Parley's router also answers the other spellings
    # (sent raw: requests would normalise some of them).
    for path in ("/metrics", "/metrics/", "//metrics", "/metrics//", "/metrics?x=1", "/./metrics", "/%6detrics",
                 "/api/../metrics"):
        connection = proxy.connection(timeout=10)
        connection.request("GET", path)
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
        str(source), chunk_size=CHUNK, metadata={"sha256": digest, "filename": "proxied.wav", "title": "Through nginx"})
    first.upload(stop_at=5 * CHUNK)  # the client goes away after five chunks
    assert first.offset == 5 * CHUNK
    assert first.url.startswith(proxy.url + "/api/v1/uploads/"), first.url
    location = first.url.removeprefix(proxy.url)
    assert user.head_upload(location).headers["Upload-Offset"] == str(5 * CHUNK)

    # A new client with only the URL: HEAD for the offset, then the rest.
    resumed = tus_client.TusClient(endpoint, headers=user.api.auth).uploader(str(source), url=first.url,
                                                                             chunk_size=CHUNK)
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
    created = user.request("POST", "/api/v1/uploads", headers={
        **TUS, "Upload-Length": str(len(data)), "Upload-Metadata": tus_metadata(sha256=sha256(data), filename="cut.wav")})
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    sent = 300_000
    connection = proxy.connection()
    connection.putrequest("PATCH", location)
    for name, value in {**user.api.auth, **TUS, "Upload-Offset": "0", "Content-Type": OFFSET_STREAM,
                        "Content-Length": str(len(data))}.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(data[:sent])
    # Let nginx pass the bytes on, then vanish without finishing the body.
    wait_for(lambda: int(user.head_upload(location).headers["Upload-Offset"]) > 0, 15,
             what="the first bytes of the PATCH to reach Parley through nginx")
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
        str(source), url=proxy.url + location, chunk_size=CHUNK, retries=20, retry_delay=0.25)
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
        connection.putrequest("POST", "/api/v1/meetings")
        for name, value in {"Authorization": "Bearer prl_not_a_token", "Content-Type": "audio/wav",
                            "Content-Length": str(length)}.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_proxy_body_limit_matches_parleys(proxy):
    """client_max_body_size lets through a body as large as Parley's own limit (Tus-Max-Size,
    2 GB by default) and refuses a larger one before forwarding a byte."""
    limit = int(requests.options(proxy.url + "/api/v1/uploads", verify=str(proxy.cert), timeout=10).headers["Tus-Max-Size"])
    assert limit == 2048 << 20
    status, body = announce_body(proxy, limit)
    assert status == 401 and b'"unauthorized"' in body, (status, body)  # reached Parley
    status, body = announce_body(proxy, limit + 1)
    assert status == 413 and b"<center>nginx</center>" in body, (status, body)  # stopped by nginx


# --- live progress -----------------------------------------------------------------------------

def test_event_stream_through_proxy_reports_progress(proxy, user, audio):
    connection = proxy.connection(timeout=30)
    connection.request("GET", "/api/v1/events", headers=user.api.auth)
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
        upload = user.request("POST", "/api/v1/meetings", params={"title": "Live through nginx"}, data=data,
                              headers={"Content-Type": "audio/wav"})
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
    upload = user.request("POST", "/api/v1/meetings", params={"title": "Ranges"}, data=data,
                          headers={"Content-Type": "audio/wav"})
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
        connection.request("GET", "/api/v1/meetings/summary", headers={"Authorization": "Bearer prl_not_a_token", **headers})
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
    origin = proxy.url  # the browser's origin, port included: nginx must forward Host with it
    through = requests.post(proxy.url + "/login", data={"token": token}, headers={"Origin": origin},
                            allow_redirects=False, verify=str(proxy.cert), timeout=10)
    assert through.status_code == 303, through.text
    cookie = through.headers["Set-Cookie"]
    assert cookie.startswith("parley_session=pss_") and "; Secure" in cookie, cookie
    # The same sign-in straight to Parley over plain HTTP gets no Secure flag.
    direct = requests.post(proxy.server.url + "/login", data={"token": token}, headers={"Origin": proxy.server.url},
                           allow_redirects=False, timeout=10)
    assert direct.status_code == 303 and "Secure" not in direct.headers["Set-Cookie"]
    # The session works through the proxy.
    session = cookie.split(";", 1)[0].split("=", 1)[1]
    page = requests.get(proxy.url + "/", cookies={"parley_session": session}, allow_redirects=False,
                        verify=str(proxy.cert), timeout=10)
    assert page.status_code == 200, page.status_code

