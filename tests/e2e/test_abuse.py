"""A careless or hostile client against a default server: uploads that claim to be pages,
sign-in redirects into the API, playlists, secrets in children's environments, encoders
left running, files other local users could read. Each test failed on the server before
the fix it guards."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from client_support import Client
from support import (
    EVAL_DIR,
    TUS,
    ParleyServer,
    child_pids,
    clip,
    closed_within,
    pid_alive,
    sha256,
    silent_flac,
    tus_metadata,
    wait_for,
    web_session,
)

HTML = b"<!doctype html><html><body><script>document.title='owned'</script>hello</body></html>"
CANARY = "prl-canary-secret-7f3a"


@pytest.fixture(scope="module")
def private_server(tmp_path_factory):
    """A server with a secret in its environment, its own data directory to inspect."""
    server = ParleyServer(tmp_path_factory.mktemp("abuse") / "data", env={"PARLEY_LLM_KEY": CANARY}).start()
    yield server
    server.stop()
    server.remove()


def tus_upload(user, data: bytes, **metadata: str) -> str:
    creation = user.post(
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(sha256=sha256(data), **metadata),
        },
    )
    assert creation.status_code == 201, creation.text
    done = user.request(
        "PATCH",
        creation.headers["Location"],
        data=data,
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert done.status_code == 204, done.text
    return done.headers["Parley-Meeting-Id"]


def test_an_html_upload_is_never_served_as_a_page(server, user):
    meeting_id = tus_upload(user, HTML, filename="notes.html", filetype="text/html", title="not audio")
    for params in ({"variant": "original"}, {}):
        response = user.get(f"/api/v1/meetings/{meeting_id}/audio/stream", params=params)
        assert response.status_code == 200 and response.content == HTML
        assert response.headers["Content-Type"] == "application/octet-stream", response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    original = user.get(f"/api/v1/meetings/{meeting_id}/audio/stream", params={"variant": "original"})
    assert original.headers["Content-Disposition"].startswith("attachment")
    metadata = user.get(f"/api/v1/meetings/{meeting_id}/audio/metadata").json()
    assert metadata["content_type"] == "application/octet-stream"
    # The stored name keeps no extension a tool could read as a page or a playlist.
    stored = [p.name for p in (server.data_dir / "audio" / meeting_id).iterdir() if p.name.startswith("original")]
    assert stored == ["original"], stored


def test_api_and_error_responses_are_locked_down(server, user):
    for response in (
        user.get("/api/v1/meetings/summary"),
        user.get("/api/v1/meetings/no-such-meeting"),
        user.session.get(server.url + "/api/v1/meetings/summary"),
    ):  # 401: no token
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.headers
        assert "sandbox" in response.headers["Content-Security-Policy"], response.headers
    # Pages keep their own policy (scripts from this origin), with nosniff.
    page = user.session.get(server.url + "/login")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "next_path, expected",
    [
        ("/api/v1/meetings/summary", "/"),
        ("/api/v1/meetings/x/audio/stream?variant=original", "/"),
        ("/files/abc", "/"),
        ("/static/app.js", "/"),
        ("/metrics", "/"),
        ("//evil.example/", "/"),
        ("/search?q=budget", "/search?q=budget"),
        ("/meetings/abc#t=12.5", "/meetings/abc#t=12.5"),
    ],
)
def test_sign_in_returns_only_to_pages(server, user, next_path, expected):
    response = user.session.post(
        server.url + "/login",
        data={"token": user.token, "next": next_path},
        headers={"Origin": server.url},
        allow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == expected


def test_a_playlist_upload_makes_no_connection(server, user):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.5)
    try:
        port = listener.getsockname()[1]
        playlist = (
            f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nhttp://127.0.0.1:{port}/a.ts\n#EXT-X-ENDLIST\n"
        ).encode()
        meeting = user.upload(playlist, filename="meeting.m3u8", title="playlist")
        final = user.wait_status(meeting["id"], timeout=120)
        assert final["status"] == "failed" and "not an audio file" in final["failure_reason"], final
        with pytest.raises(OSError):
            listener.accept()[0].close()
    finally:
        listener.close()
    stored = [p.name for p in (server.data_dir / "audio" / meeting["id"]).iterdir() if p.name.startswith("original")]
    assert stored == ["original"], stored


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def test_files_at_rest_are_private_and_children_get_no_secrets(private_server, make_wav):
    user = private_server.add_user()
    meeting = user.upload(make_wav(6).read_bytes(), filename="jfk.wav", title="private")
    assert user.wait_status(meeting["id"], timeout=180)["status"] == "synced"
    data = private_server.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("parley.sqlite", "parley.sqlite-wal"):
        if (data / name).exists():
            assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    folder = data / "audio" / meeting["id"]
    files = list(folder.iterdir())
    assert any(p.name.startswith("original") for p in files) and any(p.name == "playback.mp3" for p in files), files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, (path.name, oct(path.stat().st_mode))
    # The models' 16 kHz PCM is gone once they are done with it.
    assert not (folder / "pcm.wav").exists(), files
    # The engine stays up for its idle TTL: its environment lacks the server's secret.
    engines = child_pids(private_server.process.pid)
    assert engines, "the engine should still be running (idle TTL)"
    assert CANARY in _environ(private_server.process.pid).values()
    for pid in engines:
        environment = _environ(pid)
        assert CANARY not in environment.values() and "PARLEY_LLM_KEY" not in environment, pid


def test_client_token_file_is_private(server, user, tmp_path):
    client = Client(tmp_path / "home")
    client.login(server.url, user.token)
    token = client.home / "token"
    assert token.read_text().strip() == user.token
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert not [p for p in client.home.iterdir() if p.name.endswith(".part")]


def _ffmpeg_children(pid: int) -> list[int]:
    found = []
    for child in child_pids(pid):
        try:
            if b"ffmpeg" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except FileNotFoundError:
            pass
    return found


def test_cancel_and_delete_leave_no_encoder_running(server, user, tmp_path):
    # Two hours of silence: 20 MB of FLAC that keeps the playback encoder busy for about
    # 30 s on this kind of machine, far past the few seconds allowed below.
    long_flac = tmp_path / "long.flac"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(long_flac), "trim", "0", "7200"],
        check=True,
        timeout=120,
    )
    meeting = user.upload(long_flac.read_bytes(), filename="long.flac", title="long")
    encoders = wait_for(
        lambda: _ffmpeg_children(server.process.pid), timeout=120, interval=0.1, what="the playback encoder to start"
    )
    user.cancel(meeting["id"])
    deleted = user.request("DELETE", f"/api/v1/meetings/{meeting['id']}")
    assert deleted.status_code in (200, 204), deleted.text
    wait_for(
        lambda: not any(pid_alive(pid) for pid in encoders),
        timeout=5,
        interval=0.1,
        what="ffmpeg to be killed with its job",
    )
    time.sleep(0.5)
    folder = server.data_dir / "audio" / meeting["id"]
    assert not folder.exists(), sorted((p.name, p.stat().st_size) for p in folder.iterdir())


@pytest.fixture(scope="module")
def impatient_server(tmp_path_factory):
    """A server that closes connections after 2 s without progress."""
    server = ParleyServer(tmp_path_factory.mktemp("impatient") / "data", env={"PARLEY_IDLE_TIMEOUT": "2"}).start()
    yield server
    server.stop()
    server.remove()


def test_a_half_sent_request_is_closed(impatient_server):
    with socket.create_connection(("127.0.0.1", impatient_server.port)) as slow:
        slow.sendall(b"GET /api/v1/meetings/summ")
        closed = closed_within(slow, 10)
    assert closed is not None, "a half request line was still open after 10 s"
    with socket.create_connection(("127.0.0.1", impatient_server.port)) as trickle:
        for piece in (b"GET /health HTTP/1.1\r\n", b"Host: x\r\n"):
            trickle.sendall(piece)
            time.sleep(0.5)
        assert closed_within(trickle, 10) is not None, "headers that never end kept the connection open"


def test_a_stalled_patch_releases_its_upload(impatient_server):
    user = impatient_server.add_user()
    data = os.urandom(200_000)
    creation = user.post(
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(sha256=sha256(data), filename="a.wav"),
        },
    )
    assert creation.status_code == 201, creation.text
    path = creation.headers["Location"]
    path = path if path.startswith("/") else "/" + path.split("/", 3)[3]
    with socket.create_connection(("127.0.0.1", impatient_server.port)) as stalled:
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {user.token}\r\n"
            f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        ).encode()
        stalled.sendall(head + data[:50_000])
        assert closed_within(stalled, 10) is not None, "a stalled PATCH was still open after 10 s"
    # The next PATCH resumes from what was stored instead of meeting a locked upload (423).
    offset = wait_for(
        lambda: (lambda r: r.status_code == 200 and r.headers["Upload-Offset"])(
            user.request("HEAD", path, headers=TUS)
        ),
        timeout=10,
        what="the upload's offset",
    )
    offset = int(offset)
    assert 0 <= offset <= 50_000
    resumed = user.request(
        "PATCH",
        path,
        data=data[offset:],
        headers={**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
    )
    assert resumed.status_code == 204, resumed.text
    assert user.original(resumed.headers["Parley-Meeting-Id"]) == data


def test_an_idle_keep_alive_connection_is_closed(impatient_server):
    with socket.create_connection(("127.0.0.1", impatient_server.port)) as idle:
        idle.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 200")
        closed = closed_within(idle, 10)
    assert closed is not None and closed >= 1, closed


def test_expect_100_continue_is_answered_at_once(server, user):
    data = os.urandom(2_000_000)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            (
                f"POST /api/v1/meetings?filename=a.wav HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {user.token}\r\nContent-Type: audio/wav\r\n"
                f"Content-Length: {len(data)}\r\nExpect: 100-continue\r\n\r\n"
            ).encode()
        )
        sock.settimeout(0.8)  # curl waits 1 s before sending anyway
        interim = sock.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
        sock.sendall(data)
        sock.settimeout(30)
        final = b""
        while b"\r\n\r\n" not in final:
            final += sock.recv(65536)
    assert final.startswith(b"HTTP/1.1 201"), final[:200]


def test_voiceprints_stay_in_the_acting_users_store(server, tmp_path):
    reader = EVAL_DIR / "lhotse-librispeech-2412" / "2412-153948-0000.flac"
    owner, member = server.add_user(), server.add_user()
    workspace = f"team-{uuid.uuid4().hex[:8]}"
    server.join(owner, workspace)
    server.join(member, workspace)
    # The owner names a voice privately.
    private = owner.upload(clip(reader, tmp_path / "a.wav", 0, 6).read_bytes(), filename="a.wav", title="private")
    assert owner.wait_status(private["id"], timeout=180)["status"] == "synced"
    assert (
        owner.request(
            "PATCH", f"/api/v1/meetings/{private['id']}/speakers/speaker_1", json={"custom_name": "Reader"}
        ).status_code
        == 200
    )
    taught = owner.get("/api/v1/voiceprints").json()
    assert [p["name"] for p in taught] == ["Reader"]
    # The same voice in a workspace meeting: the owner's private name is not shown to the team.
    shared = owner.upload(
        clip(reader, tmp_path / "b.wav", 6, 6).read_bytes(),
        filename="b.wav",
        title="shared",
        scope="workspace",
        workspace=workspace,
    )
    assert owner.wait_status(shared["id"], timeout=180)["status"] == "synced"
    speakers = member.get(f"/api/v1/meetings/{shared['id']}").json()["transcript"]["speakers"]
    assert all(s.get("custom_name") is None for s in speakers), speakers
    # A member's rename there is the member's voiceprint, not the owner's.
    renamed = member.request(
        "PATCH", f"/api/v1/meetings/{shared['id']}/speakers/speaker_1", json={"custom_name": "Guest"}
    )
    assert renamed.status_code == 200, renamed.text
    assert owner.get("/api/v1/voiceprints").json() == taught
    assert [p["name"] for p in member.get("/api/v1/voiceprints").json()] == ["Guest"]
    # Clearing it removes only the member's.
    member.request("PATCH", f"/api/v1/meetings/{shared['id']}/speakers/speaker_1", json={"custom_name": None})
    assert owner.get("/api/v1/voiceprints").json() == taught
    assert member.get("/api/v1/voiceprints").json() == []


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory):
    """Default rate limits on (the shared server turns them off), short web sessions."""
    server = ParleyServer(
        tmp_path_factory.mktemp("guarded") / "data", env={"PARLEY_RATE_LIMIT": "50", "PARLEY_SESSION_IDLE_SECONDS": "3"}
    ).start()
    yield server
    server.stop()
    server.remove()


def _signed_in(server, token: str) -> requests.Session:
    browser = requests.Session()
    browser.cookies.set("parley_session", web_session(server.url, token))
    return browser


def test_a_session_cookie_is_dead_after_sign_out(server, user):
    browser = _signed_in(server, user.token)
    cookie = browser.cookies["parley_session"]
    assert cookie.startswith("pss_") and user.token not in cookie
    assert browser.get(server.url + "/api/v1/meetings/summary").status_code == 200
    page = browser.get(server.url + "/").text
    csrf = page.split('name="parley-csrf" content="')[1].split('"')[0]
    out = browser.post(
        server.url + "/logout", data={"csrf": csrf}, headers={"Origin": server.url}, allow_redirects=False
    )
    assert out.status_code == 303
    # A copy of the old cookie (taken before sign-out) no longer works anywhere.
    stale = requests.Session()
    stale.cookies.set("parley_session", cookie)
    assert stale.get(server.url + "/api/v1/meetings/summary").status_code == 401
    assert stale.get(server.url + "/", allow_redirects=False).headers["Location"].startswith("/login")
    # The token itself is untouched.
    assert user.get("/api/v1/meetings/summary").status_code == 200


def test_an_idle_session_expires(guarded_server):
    user = guarded_server.add_user()
    browser = _signed_in(guarded_server, user.token)
    assert browser.get(guarded_server.url + "/api/v1/meetings/summary").status_code == 200
    time.sleep(3.5)
    assert browser.get(guarded_server.url + "/api/v1/meetings/summary").status_code == 401


def test_a_revoked_token_and_its_sessions_stop_working(server, user, other_user):
    second = server.cli("token", "create", "--user", user.name, "--label", "laptop").strip()
    browser = _signed_in(server, second)
    as_second = {"Authorization": f"Bearer {second}"}
    listed = user.session.get(server.url + "/api/v1/tokens", headers=as_second).json()
    mine = {t["label"]: t for t in listed}
    assert set(mine) >= {"laptop"} and mine["laptop"]["current"] is True and mine["laptop"]["sessions"] == 1
    assert all("token" not in t and second not in json.dumps(t) for t in listed)
    # Someone else cannot revoke it (and cannot tell it exists).
    assert other_user.request("DELETE", f"/api/v1/tokens/{mine['laptop']['id']}").status_code == 404
    assert user.request("DELETE", "/api/v1/tokens/no-such-token").status_code == 404
    # Its owner can, with another token; the token and the session it opened both die.
    assert user.request("DELETE", f"/api/v1/tokens/{mine['laptop']['id']}").status_code == 204
    assert requests.get(server.url + "/api/v1/meetings/summary", headers=as_second).status_code == 401
    assert browser.get(server.url + "/api/v1/meetings/summary").status_code == 401
    assert user.get("/api/v1/meetings/summary").status_code == 200


def test_tokens_are_listed_and_revoked_from_the_command_line(server, user):
    listed = json.loads(server.cli("token", "list", "--user", user.name, "--json"))
    assert len(listed) == 1 and user.token not in json.dumps(listed)
    assert "revoked" in server.cli("token", "revoke", listed[0]["id"])
    assert user.get("/api/v1/meetings/summary").status_code == 401
    missing = subprocess.run(
        [str(server.binary), "token", "revoke", "nope", "--data", str(server.data_dir)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert missing.returncode != 0 and "no token" in missing.stderr


def test_failed_authentication_is_slowed_per_address_not_per_guess(tmp_path):
    guarded_server = ParleyServer(tmp_path / "data", env={"PARLEY_RATE_LIMIT": "50"}).start()
    try:
        _guesses_are_slowed(guarded_server)
    finally:
        guarded_server.stop()


def _guesses_are_slowed(guarded_server):
    user = guarded_server.add_user()
    statuses = [
        requests.get(
            guarded_server.url + "/api/v1/meetings/summary",
            headers={"Authorization": f"Bearer prl_guess-{i}"},
            timeout=10,
        ).status_code
        for i in range(15)
    ]
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429, statuses
    limited = requests.get(guarded_server.url + "/api/v1/meetings/summary", headers={"Authorization": "Bearer prl_x"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    # The sign-in form counts too.
    form = requests.post(
        guarded_server.url + "/login", data={"token": "prl_guess"}, headers={"Origin": guarded_server.url}
    )
    assert form.status_code == 429 and "Too many failed sign-ins" in form.text
    # A real user from the same address is keyed on who they are, not where they are.
    assert user.get("/api/v1/meetings/summary").status_code == 200


def test_ten_hours_of_silence_are_refused_without_filling_the_disk(server, user, tmp_path):
    bomb = silent_flac(tmp_path / "silence.flac", 36000)  # 7 MB that would decode to 1.15 GB of PCM
    meeting = user.upload(bomb.read_bytes(), filename="silence.flac", title="bomb")
    final = user.wait_status(meeting["id"], timeout=120)
    assert final["status"] == "failed" and "too long" in final["failure_reason"], final
    folder = server.data_dir / "audio" / meeting["id"]
    written = sum(p.stat().st_size for p in folder.iterdir() if not p.name.startswith("original"))
    assert written <= 10 << 20, sorted((p.name, p.stat().st_size) for p in folder.iterdir())


def _tus_create(user, data: bytes):
    return user.post(
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(sha256=sha256(data), filename="a.wav"),
        },
    )


def test_storage_quota_is_checked_before_a_byte_is_sent(server, user):
    assert "unlimited" in server.cli("user", "quota", user.name)
    assert "1.0 MB" in server.cli("user", "quota", user.name, "--mb", "1")
    small = os.urandom(300_000)
    assert user.upload(small, filename="small.wav", title="fits")["id"]
    big = os.urandom(900_000)
    refused = _tus_create(user, big)
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "quota_exceeded", refused.text
    assert "quota" in refused.json()["error"]["message"]
    direct = user.post(
        "/api/v1/meetings", params={"filename": "big.wav"}, data=big, headers={"Content-Type": "audio/wav"}
    )
    assert direct.status_code == 413 and direct.json()["error"]["code"] == "quota_exceeded", direct.text
    assert len(user.meetings()) == 1 and not any((server.data_dir / "uploads").iterdir())
    assert "0.3 MB used of 1.0 MB" in server.cli("user", "quota", user.name)
    assert "0.3 MB used of unlimited" in server.cli("user", "quota", user.name, "--default")
    assert _tus_create(user, big).status_code == 201  # back to the (unlimited) default


def test_unfinished_uploads_are_capped_per_user(server, user, other_user):
    for _ in range(10):
        assert _tus_create(user, os.urandom(1000)).status_code == 201
    refused = _tus_create(user, os.urandom(1000))
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_uploads", refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert _tus_create(other_user, os.urandom(1000)).status_code == 201  # per user


def test_an_upload_expires_by_inactivity_not_age(tmp_path):
    server = ParleyServer(tmp_path / "data", env={"PARLEY_UPLOAD_EXPIRY_HOURS": str(3 / 3600)}).start()
    try:
        user = server.add_user()
        data = os.urandom(10_000)
        path = "/api/v1/uploads/" + _tus_create(user, data).headers["Location"].rsplit("/", 1)[1]
        # Six seconds of slow but steady progress: twice the expiry, never three idle seconds.
        for offset in range(0, 6000, 1000):
            sent = user.request(
                "PATCH",
                path,
                data=data[offset : offset + 1000],
                headers={**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
            )
            assert sent.status_code == 204, (offset, sent.text)
            time.sleep(1)
        assert user.request("HEAD", path, headers=TUS).headers["Upload-Offset"] == "6000"
        # Then silence: it goes, with its bytes.
        wait_for(
            lambda: user.request("HEAD", path, headers=TUS).status_code == 404, timeout=15, what="the upload to expire"
        )
        assert not list((server.data_dir / "uploads").iterdir())
    finally:
        server.stop()


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _multipart_stream(token: str, size: int, seed: int):
    """A streamed multipart body (chunked): `size` bytes of not-audio in the file part."""
    boundary = f"parley-abuse-{seed}"
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big-{seed}.wav\"\r\n"
        f"Content-Type: audio/wav\r\n\r\n"
    ).encode()
    chunk = os.urandom(1 << 20)

    def body():
        yield head + seed.to_bytes(8, "big")
        for _ in range(size >> 20):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    return boundary, body()


def test_openai_bodies_stream_and_are_capped(server, user):
    pid = server.process.pid
    baseline = _rss_bytes(pid)
    peak = [baseline]
    done = threading.Event()

    health: list[float] = []

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes(pid))
            time.sleep(0.05)

    def probe():
        # The rest of the server keeps answering while the bodies stream in.
        while not done.is_set():
            started = time.monotonic()
            requests.get(server.url + "/health", timeout=60)
            health.append(time.monotonic() - started)
            time.sleep(0.25)

    def post(seed: int):
        boundary, body = _multipart_stream(user.token, 50 << 20, seed)
        try:
            response = requests.post(
                server.url + "/v1/audio/transcriptions",
                data=body,
                timeout=300,
                headers={
                    "Authorization": f"Bearer {user.token}",
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                },
            )
            return response.status_code, response.headers.get("Retry-After")
        except requests.ConnectionError:
            return "closed", None

    watcher, prober = threading.Thread(target=watch), threading.Thread(target=probe)
    watcher.start()
    prober.start()
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            outcomes = list(pool.map(post, range(20)))
    finally:
        done.set()
        watcher.join()
        prober.join()
    assert health and max(health) < 5, f"GET /health took up to {max(health):.1f} s while the bodies streamed in"
    growth = peak[0] - baseline
    assert growth < 100 << 20, f"server RSS grew {growth >> 20} MB during 20 concurrent 50 MB posts"
    statuses = [status for status, _ in outcomes]
    # At most the cap (4) get in; random bytes are not audio, so theirs fail as such.
    assert statuses.count(503) >= 16 - statuses.count("closed"), statuses
    assert all(retry for status, retry in outcomes if status == 503)
    assert set(statuses) <= {503, 422, "closed"}, statuses
    assert 422 in statuses, statuses
    assert not list((server.data_dir / "uploads").glob("openai-*")), "received bodies were left behind"


def test_a_refused_rerun_keeps_the_edits(tmp_path, make_wav):
    server = ParleyServer(tmp_path / "data", env={"PARLEY_MAX_QUEUED": "1"}).start()
    try:
        user = server.add_user()
        meeting = user.upload(make_wav(6).read_bytes(), filename="a.wav", title="edited")
        assert user.wait_status(meeting["id"], timeout=180)["status"] == "synced"
        mid = meeting["id"]
        assert (
            user.request("PATCH", f"/api/v1/meetings/{mid}/speakers/speaker_1", json={"custom_name": "Ada"}).status_code
            == 200
        )
        # Fill the queue: one long recording decoding, one more waiting behind it.
        silence = silent_flac(tmp_path / "silence.flac", 5400, rate=16000)
        data = silence.read_bytes()
        busy = [user.upload(data, filename="long0.flac", title="long 0")["id"]]
        user.wait_status(busy[0], statuses=("processing",), timeout=60)  # running: the queue is empty again
        busy.append(user.upload(data + b"\0", filename="long1.flac", title="long 1")["id"])  # waits: queue full
        rerun = user.post(
            f"/api/v1/meetings/{mid}/process-async", json={"from_stage": "diarize", "discard_edits": True}
        )
        assert rerun.status_code == 503, rerun.text
        speakers = user.get(f"/api/v1/meetings/{mid}").json()["transcript"]["speakers"]
        assert any(s.get("custom_name") == "Ada" for s in speakers), speakers
        for other in busy:
            user.cancel(other)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory):
    """Small connection caps and a fast SSE heartbeat, to reach the limits in a test."""
    server = ParleyServer(
        tmp_path_factory.mktemp("capped") / "data",
        env={
            "PARLEY_MAX_EVENT_STREAMS": "2",
            "PARLEY_MAX_UPLOAD_CONNECTIONS": "1",
            "PARLEY_SSE_HEARTBEAT_SECONDS": "1",
        },
    ).start()
    yield server
    server.stop()
    server.remove()


def _event_stream(server, token: str) -> requests.Response:
    return requests.get(
        server.url + "/api/v1/events", headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=10
    )


def test_live_progress_streams_are_capped_per_user_and_freed_when_clients_leave(capped_server):
    user, other = capped_server.add_user(), capped_server.add_user()
    first, second = _event_stream(capped_server, user.token), _event_stream(capped_server, user.token)
    assert first.status_code == second.status_code == 200
    third = _event_stream(capped_server, user.token)
    assert third.status_code == 429 and third.json()["error"]["code"] == "too_many_connections", third.text
    assert int(third.headers["Retry-After"]) > 0
    assert _event_stream(capped_server, other.token).status_code == 200  # a share per user
    # The heartbeat keeps an idle stream talking ...
    lines = first.iter_lines()
    assert wait_for(lambda: next(lines) == b": ping", timeout=5, what="a heartbeat")
    # ... and shows when a client has gone, which frees its slot.
    first.close()
    wait_for(
        lambda: (lambda r: r.status_code == 200 and (r.close() or True))(_event_stream(capped_server, user.token)),
        timeout=10,
        interval=0.5,
        what="the closed stream's slot to be freed",
    )
    second.close()


def test_upload_bodies_are_capped_per_user(capped_server):
    user = capped_server.add_user()
    data = os.urandom(100_000)
    creation = _tus_create(user, data)
    path = "/api/v1/uploads/" + creation.headers["Location"].rsplit("/", 1)[1]
    with socket.create_connection(("127.0.0.1", capped_server.port)) as slow:
        slow.sendall(
            (
                f"PATCH {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {user.token}\r\nTus-Resumable: 1.0.0\r\n"
                f"Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode()
            + data[:1000]
        )
        time.sleep(0.5)
        other = _tus_create(user, os.urandom(5000))
        refused = user.request(
            "PATCH",
            "/api/v1/uploads/" + other.headers["Location"].rsplit("/", 1)[1],
            data=b"x" * 5000,
            headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        )
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_connections", refused.text
        slow.sendall(data[1000:])
        assert slow.recv(4096).startswith(b"HTTP/1.1 204")
    again = user.request(
        "PATCH",
        "/api/v1/uploads/" + other.headers["Location"].rsplit("/", 1)[1],
        data=os.urandom(5000),
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert again.status_code in (204, 460), again.text  # the slot is free again (460: not the declared hash)
