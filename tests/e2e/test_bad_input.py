"""Bad input: non-audio and corrupt files, empty and oversize uploads, unknown and path-like
ids, malformed or oversized headers and metadata, invalid paging. Always a clear 4xx or a
meeting that fails with a readable reason; never a 5xx, never a stray file served."""

from __future__ import annotations

import base64
import http.client
import os

import pytest
import requests

from support import TUS, ParleyServer, sha256, tus_metadata

JUNK = {
    "text": (b"Minutes of the meeting. Nothing to hear here.\n" * 40, "text/plain", "not an audio file"),
    "corrupt-wav": (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8, "audio/wav", "corrupt or truncated"),
    "zeros": (bytes(5000), "audio/wav", "not an audio file"),
}


@pytest.mark.parametrize("kind", sorted(JUNK))
def test_non_audio_upload_fails_in_normalize_with_a_readable_reason(server, user, kind):
    data, content_type, expected = JUNK[kind]
    meeting = user.upload(data + os.urandom(16), content_type=content_type, filename=f"{kind}.wav", title=kind)
    final = user.wait_status(meeting["id"], timeout=60)
    assert final["status"] == "failed"
    assert final["stage"] == "normalize"
    reason = final["failure_reason"]
    assert reason.startswith("normalize: ") and expected in reason, reason
    assert len(reason) < 300 and "Traceback" not in reason and "\n" not in reason
    stages = {stage["stage"]: stage for stage in final["stages"]}
    assert stages["normalize"]["state"] == "failed"
    assert all("state" not in stages[name] for name in ("transcribe", "diarize", "summarize", "index"))
    # The dashboard shows it failed, with the same reason.
    [listed] = [m for m in user.meetings() if m["id"] == meeting["id"]]
    assert listed["status"] == "failed" and listed["failure_reason"] == reason


def test_empty_uploads_are_refused(server, user):
    direct = user.post("/api/v1/meetings", data=b"")
    assert direct.status_code == 400 and direct.json()["error"]["code"] == "empty_file"
    tus = user.post(
        "/api/v1/uploads", headers={**TUS, "Upload-Length": "0", "Upload-Metadata": tus_metadata(sha256=sha256(b""))}
    )
    assert tus.status_code == 400 and tus.json()["error"]["code"] == "empty_file"
    assert user.meetings() == []


def test_declared_hash_mismatch_on_direct_upload(server, user):
    response = user.post("/api/v1/meetings", data=b"RIFF some bytes", params={"sha256": sha256(b"other")})
    assert response.status_code == 400 and response.json()["error"]["code"] == "checksum_mismatch"
    assert user.meetings() == []


@pytest.mark.parametrize("suffix", ["", "/status", "/audio/metadata", "/audio/stream"])
def test_unknown_meeting_is_404(server, user, suffix):
    response = user.get(f"/api/v1/meetings/00000000-0000-0000-0000-000000000000{suffix}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("method", "suffix"), [("DELETE", ""), ("POST", "/process-async"), ("POST", "/cancel")])
def test_unknown_meeting_actions_are_404(server, user, method, suffix):
    assert user.request(method, f"/api/v1/meetings/no-such-meeting{suffix}").status_code == 404


PATH_LIKE = [
    "/api/v1/meetings/..",
    "/api/v1/meetings/%2e%2e",
    "/api/v1/meetings/.",
    "/api/v1/meetings/../x",
    "/api/v1/meetings/a%2F..%2Fb",
    "/api/v1/meetings/..%2F..%2Fparley.sqlite",
    "/api/v1/meetings/..%2F..%2Fparley.sqlite/audio/stream",
    "/api/v1/meetings/%2E%2E%2Faudio/audio/stream",
    "/api/v1/meetings/.hidden/status",
    "/api/v1/meetings/check/..",
    "/api/v1/meetings/check/..%2F..%2Fx",
    "/api/v1/meetings/%00/status",
    "/api/v1/meetings/a%5C..%5Cb",
    "/api/v1/meetings/" + "a" * 129,
    "/api/v1/uploads/..",
    "/api/v1/uploads/..%2F..%2Fparley.sqlite",
    "/api/v1/uploads/..%2Fuploads",
]


@pytest.mark.parametrize("path", PATH_LIKE)
@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE", "PATCH"])
def test_path_like_ids_are_refused(server, user, path, method):
    # http.client sends the path as is (requests would resolve the dot segments first).
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {**user.auth, **TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    connection.request(method, path, body=b"" if method == "PATCH" else None, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert 400 <= response.status < 500, f"{method} {path}: {response.status}"
    assert b"SQLite" not in body and len(body) < 1000


def test_path_like_client_ids_are_refused(server, user):
    for client_id in ("../x", "..", "a/b", ".hidden", "x" * 129, "a b", "é"):
        direct = user.post("/api/v1/meetings", data=b"RIFF x", params={"client_id": client_id})
        assert direct.status_code == 400, client_id
        tus = user.post(
            "/api/v1/uploads",
            headers={
                **TUS,
                "Upload-Length": "6",
                "Upload-Metadata": tus_metadata(sha256=sha256(b"RIFF x"), client_id=client_id),
            },
        )
        assert tus.status_code == 400, client_id
    assert user.meetings() == []


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


SHA = sha256(b"x" * 10)
BAD_METADATA = {
    "no sha256": f"filename {b64('a.wav')}",
    "sha256 not hex": f"sha256 {b64('z' * 64)}",
    "sha256 short": f"sha256 {b64('a' * 63)}",
    "value not base64": "sha256 !!!not-base64!!!",
    "value not utf-8": f"sha256 {b64(SHA)},title {base64.b64encode(bytes([0xFF, 0xFE])).decode()}",
    "three parts": f"sha256 {b64(SHA)} extra",
    "blank pair": f"sha256 {b64(SHA)},   ,title {b64('x')}",
    "repeated key": f"sha256 {b64(SHA)},sha256 {b64(SHA)}",
    "bad recorded_at": f"sha256 {b64(SHA)},recorded_at {b64('yesterday')}",
    "bad scope": f"sha256 {b64(SHA)},scope {b64('everyone')}",
    "workspace scope without workspace": f"sha256 {b64(SHA)},scope {b64('workspace')}",
    "unknown workspace": f"sha256 {b64(SHA)},scope {b64('workspace')},workspace {b64('nope')}",
    "title too long": f"sha256 {b64(SHA)},title {b64('t' * 301)}",
    "blank title": f"sha256 {b64(SHA)},title {b64('   ')}",
    "oversized": f"sha256 {b64(SHA)},title {b64('t' * 4000)}",
}


@pytest.mark.parametrize("case", sorted(BAD_METADATA))
def test_malformed_upload_metadata_is_400(server, user, case):
    response = user.post(
        "/api/v1/uploads", headers={**TUS, "Upload-Length": "10", "Upload-Metadata": BAD_METADATA[case]}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"]
    assert response.headers["Tus-Resumable"] == "1.0.0"


@pytest.mark.parametrize("length", ["-1", "abc", "1.5", "", "99999999999999999999999"])
def test_malformed_upload_length_is_400(server, user, length):
    response = user.post(
        "/api/v1/uploads", headers={**TUS, "Upload-Length": length, "Upload-Metadata": tus_metadata(sha256=SHA)}
    )
    assert response.status_code == 400


def test_deferred_length_is_refused(server, user):
    response = user.post(
        "/api/v1/uploads", headers={**TUS, "Upload-Defer-Length": "1", "Upload-Metadata": tus_metadata(sha256=SHA)}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("offset", ["-5", "abc", ""])
def test_malformed_upload_offset_is_400(server, user, offset):
    location = user.post(
        "/api/v1/uploads",
        headers={**TUS, "Upload-Length": "10", "Upload-Metadata": tus_metadata(sha256=sha256(os.urandom(8)))},
    ).headers["Location"]
    response = user.request(
        "PATCH",
        location,
        data=b"x",
        headers={**TUS, "Upload-Offset": offset, "Content-Type": "application/offset+octet-stream"},
    )
    assert response.status_code == 400


def test_oversized_headers_are_refused_and_the_server_survives(server, user):
    for name, size in (("Upload-Metadata", 100_000), ("X-Padding", 200_000), ("Authorization", 100_000)):
        headers = {**user.auth, **TUS, "Upload-Length": "10", "Upload-Metadata": tus_metadata(sha256=SHA)}
        headers[name] = ("Bearer " if name == "Authorization" else "") + "a" * size
        try:
            response = requests.post(server.url + "/api/v1/uploads", headers=headers, timeout=10)
        except requests.ConnectionError:
            continue  # closing the connection is a fair answer to a 100 kB header
        assert 400 <= response.status_code < 500, (name, response.status_code)
    assert user.get("/api/v1/meetings/summary").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/meetings/summary", "/api/v1/meetings/synced"])
def test_invalid_paging_is_400(server, user, path):
    maximum = 200 if path.endswith("summary") else 1000
    for limit in ("0", "-1", str(maximum + 1), "abc", "1.5", ""):
        response = user.get(path, params={"limit": limit})
        assert response.status_code == 400, limit
    cursors = ["garbage!", base64.b64encode(b"no-separator").decode(), base64.b64encode(b"abc|id").decode(), "x" * 600]
    for cursor in cursors:
        response = user.get(path, params={"cursor": cursor})
        assert response.status_code == 400, cursor
        assert response.json()["error"]["code"] == "invalid_cursor"


def test_paging_walks_every_meeting_once(server, user):
    made = {user.upload(f"RIFF page {index} ".encode() + os.urandom(32))["id"] for index in range(5)}
    for meeting_id in made:
        user.cancel(meeting_id)
    for path in ("/api/v1/meetings/summary", "/api/v1/meetings/synced"):
        seen, cursor = [], None
        while True:
            page = user.get(path, params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
            assert len(page["items"]) <= 2
            seen += [item["id"] for item in page["items"]]
            cursor = page.get("next_cursor")
            if cursor is None:
                break
        assert sorted(seen) == sorted(made), path


def test_invalid_query_values_are_400(server, user):
    assert user.get("/api/v1/meetings/summary", params={"scope": "everyone"}).status_code == 400
    assert user.get("/api/v1/meetings/check/x", params={"sha256": "nothex"}).status_code == 400
    for params in (
        {"sha256": "abc"},
        {"recorded_at": "soon"},
        {"scope": "public"},
        {"title": " "},
        {"scope": "workspace"},
    ):
        response = user.post("/api/v1/meetings", data=b"RIFF q", params=params)
        assert response.status_code == 400, params
    assert user.meetings() == []


def test_bad_process_requests(server, user):
    meeting = user.upload(b"RIFF process " + os.urandom(16))
    user.cancel(meeting["id"])
    path = f"/api/v1/meetings/{meeting['id']}/process-async"
    for body in (b"not json", b'{"from_stage": "polish"}', b"[]", b'{"from_stage": 3}'):
        response = user.post(path, data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, body
    too_big = user.post(path, data=b"{" + b" " * 10_000 + b"}", headers={"Content-Type": "application/json"})
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "too_large"


@pytest.fixture(scope="module")
def small_server():
    """A server that takes at most 1 MB per upload."""
    instance = ParleyServer(env={"PARLEY_MAX_UPLOAD_MB": "1"}).start()
    yield instance, instance.add_user()
    instance.stop()
    instance.remove()


def test_oversize_uploads_are_413(small_server):
    server, user = small_server
    limit = 1 << 20
    options = requests.options(server.url + "/api/v1/uploads", timeout=10)
    assert options.headers["Tus-Max-Size"] == str(limit)
    data = os.urandom(limit + 1)
    tus = user.post(
        "/api/v1/uploads",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": tus_metadata(sha256=sha256(data))},
    )
    assert tus.status_code == 413 and tus.json()["error"]["code"] == "too_large"
    direct = user.post("/api/v1/meetings", data=data)
    assert direct.status_code == 413 and direct.json()["error"]["code"] == "too_large"

    # A body streamed without Content-Length is cut off at the limit too.
    def chunks():
        for _ in range(20):
            yield os.urandom(64 * 1024)

    try:
        streamed = user.post("/api/v1/meetings", data=chunks())
        assert streamed.status_code == 413
    except requests.ConnectionError:
        pass  # the server may close the connection once it has answered
    at_limit = os.urandom(limit)
    ok = user.post("/api/v1/meetings", data=at_limit)
    assert ok.status_code == 201
    user.cancel(ok.json()["meeting"]["id"])
    assert [m["sha256"] for m in user.meetings()] == [sha256(at_limit)]
    assert list((server.data_dir / "uploads").iterdir()) == []
