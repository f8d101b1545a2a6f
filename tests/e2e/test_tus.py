"""tus 1.0 interop with the real `tuspy` client, and the protocol's edge cases with raw requests."""

from __future__ import annotations

import http.client

import pytest
import requests
from tusclient import client as tus_client

from support import OFFSET_STREAM, TUS, file_sha256, sha256, tus_metadata, wait_for

CHUNK = 64 * 1024


def create(user, length: int, metadata: str, **headers) -> requests.Response:
    return user.post(
        "/api/v1/uploads", headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": metadata, **headers}
    )


def new_upload(user, data: bytes, **fields) -> str:
    """Creates an upload for `data` and returns its path (the Location)."""
    response = create(user, len(data), tus_metadata(sha256=sha256(data), **fields))
    assert response.status_code == 201, response.text
    assert response.headers["Upload-Offset"] == "0"
    return response.headers["Location"]


def patch(user, location: str, offset: int, body: bytes, content_type: str = OFFSET_STREAM, **headers):
    return user.request(
        "PATCH",
        location,
        data=body,
        headers={**TUS, "Upload-Offset": str(offset), "Content-Type": content_type, **headers},
    )


def head(user, location: str, **headers) -> requests.Response:
    return user.request("HEAD", location, headers={**TUS, **headers})


def meeting_of(user, location: str) -> str:
    response = head(user, location)
    assert response.status_code == 200
    assert response.headers["Upload-Offset"] == response.headers["Upload-Length"]
    return response.headers["Parley-Meeting-Id"]


# --- tuspy ------------------------------------------------------------------------------------


def test_tuspy_upload_interrupt_and_resume(server, user, make_wav):
    source = make_wav(33)  # about 1 MB of real speech
    size = source.stat().st_size
    digest = file_sha256(source)
    client = tus_client.TusClient(server.url + "/api/v1/uploads", headers=user.auth)
    first = client.uploader(
        str(source),
        chunk_size=CHUNK,
        metadata={
            "sha256": digest,
            "filename": "resume.wav",
            "filetype": "audio/wav",
            "client_id": "tus-resume-1",
            "title": "Resumed upload",
        },
    )
    # Interrupted after five chunks: the client goes away with the upload half done.
    first.upload(stop_at=5 * CHUNK)
    assert first.offset == 5 * CHUNK
    assert head(user, first.url.removeprefix(server.url)).headers["Upload-Offset"] == str(5 * CHUNK)

    # A new client resumes from the URL: tuspy asks HEAD for the offset and sends the rest.
    resumed = client.uploader(str(source), url=first.url, chunk_size=CHUNK)
    assert resumed.offset == 5 * CHUNK
    resumed.upload()
    assert resumed.offset == size

    meeting_id = meeting_of(user, first.url.removeprefix(server.url))
    user.cancel(meeting_id)
    stored = user.original(meeting_id)
    assert len(stored) == size
    assert sha256(stored) == digest
    meeting = user.get(f"/api/v1/meetings/{meeting_id}").json()["meeting"]
    assert meeting["client_id"] == "tus-resume-1"
    assert meeting["title"] == "Resumed upload"
    assert meeting["sha256"] == digest
    assert [m["id"] for m in user.meetings()] == [meeting_id]


def test_connection_dropped_mid_patch_keeps_received_bytes(server, user, make_wav):
    source = make_wav(20)
    data = source.read_bytes()
    location = new_upload(user, data, filename="dropped.wav")
    # Announce 256 KiB, send 100 000 bytes, then vanish (a dropped connection).
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("PATCH", location)
    for name, value in {
        **user.auth,
        **TUS,
        "Upload-Offset": "0",
        "Content-Type": OFFSET_STREAM,
        "Content-Length": str(256 * 1024),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(data[:100_000])
    connection.sock.close()  # FIN after the sent bytes: the server gets them, then EOF

    def settled_offset():
        response = head(user, location)
        return response.headers.get("Upload-Offset") == "100000"

    wait_for(settled_offset, 10, what="the received bytes to be the offset")
    client = tus_client.TusClient(server.url + "/api/v1/uploads", headers=user.auth)
    # Until the server has seen the connection close, the old request still holds the
    # upload (423): a client retries, as tus clients do.
    resumed = client.uploader(str(source), url=server.url + location, chunk_size=CHUNK, retries=10, retry_delay=0.2)
    assert resumed.offset == 100_000
    resumed.upload()
    meeting_id = meeting_of(user, location)
    user.cancel(meeting_id)
    assert sha256(user.original(meeting_id)) == sha256(data)


def test_tuspy_single_request_upload(server, user, tmp_path):
    data = b"RIFF" + bytes(range(256)) * 40
    path = tmp_path / "tiny.bin"
    path.write_bytes(data)
    client = tus_client.TusClient(server.url + "/api/v1/uploads", headers=user.auth)
    uploader = client.uploader(str(path), metadata={"sha256": sha256(data), "filename": "tiny.bin"})
    uploader.upload()
    meeting_id = meeting_of(user, uploader.url.removeprefix(server.url))
    assert user.original(meeting_id) == data


# --- protocol edge cases ----------------------------------------------------------------------


def test_options_advertises_capabilities_without_auth(server):
    response = requests.options(server.url + "/api/v1/uploads", timeout=10)
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    extensions = response.headers["Tus-Extension"].split(",")
    assert {"creation", "creation-with-upload", "termination"} <= set(extensions)
    assert int(response.headers["Tus-Max-Size"]) == 2048 << 20


@pytest.mark.parametrize("version", [None, "0.2.2", "1.0", "2.0.0"])
def test_unsupported_tus_version_is_412(server, user, version):
    headers = {"Upload-Length": "10", "Upload-Metadata": tus_metadata(sha256="0" * 64)}
    if version:
        headers["Tus-Resumable"] = version
    response = user.post("/api/v1/uploads", headers=headers)
    assert response.status_code == 412
    assert response.headers["Tus-Version"] == "1.0.0"
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.json()["error"]["code"] == "unsupported_tus_version"
    location = new_upload(user, b"x" * 10)
    assert user.request("HEAD", location, headers={"Tus-Resumable": version} if version else {}).status_code == 412
    assert (
        user.request(
            "PATCH",
            location,
            data=b"x",
            headers={
                "Upload-Offset": "0",
                "Content-Type": OFFSET_STREAM,
                **({"Tus-Resumable": version} if version else {}),
            },
        ).status_code
        == 412
    )


def test_every_tus_response_says_tus_resumable(server, user):
    data = b"abc" * 1000
    location = new_upload(user, data)
    responses = {
        "create": create(user, len(data) + 1, tus_metadata(sha256=sha256(data + b"!"))),
        "head": head(user, location),
        "patch": patch(user, location, 0, data[:100]),
        "conflict": patch(user, location, 0, data[:100]),
        "media": patch(user, location, 100, data[100:], content_type="application/octet-stream"),
        "unknown": head(user, "/api/v1/uploads/no-such-upload"),
        "unauthenticated": requests.head(
            server.url + location, headers={**TUS, "Authorization": "Bearer nope"}, timeout=10
        ),
        "bad request": create(user, len(data), "not base64 at all"),
        "delete": user.request("DELETE", location, headers=TUS),
    }
    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses == {
        "create": 201,
        "head": 200,
        "patch": 204,
        "conflict": 409,
        "media": 415,
        "unknown": 404,
        "unauthenticated": 401,
        "bad request": 400,
        "delete": 204,
    }
    missing = [name for name, response in responses.items() if response.headers.get("Tus-Resumable") != "1.0.0"]
    assert not missing, f"responses without Tus-Resumable: {missing}"


def test_head_is_not_cacheable_and_reports_progress(server, user):
    data = bytes(range(256)) * 100
    metadata = tus_metadata(sha256=sha256(data), filename="progress.bin", title="Progress")
    response = create(user, len(data), metadata)
    location = response.headers["Location"]
    assert patch(user, location, 0, data[:1000]).status_code == 204
    status = head(user, location)
    assert status.status_code == 200
    assert status.headers["Cache-Control"] == "no-store"
    assert status.headers["Upload-Offset"] == "1000"
    assert status.headers["Upload-Length"] == str(len(data))
    assert status.headers["Upload-Metadata"] == metadata
    assert status.content == b""


def test_offset_mismatch_is_409_with_the_server_offset(server, user):
    data = bytes(range(256)) * 10
    location = new_upload(user, data)
    conflict = patch(user, location, 10, data[10:20])
    assert conflict.status_code == 409
    assert conflict.headers["Upload-Offset"] == "0"
    assert conflict.json()["error"]["code"] == "offset_mismatch"
    ok = patch(user, location, 0, data[:100])
    assert ok.status_code == 204 and ok.headers["Upload-Offset"] == "100"
    again = patch(user, location, 0, data[:100])  # a replayed chunk must not be appended twice
    assert again.status_code == 409 and again.headers["Upload-Offset"] == "100"
    behind = patch(user, location, 200, data[200:300])
    assert behind.status_code == 409
    assert head(user, location).headers["Upload-Offset"] == "100"
    finish = patch(user, location, 100, data[100:])
    assert finish.status_code == 204
    user.cancel(finish.headers["Parley-Meeting-Id"])
    assert user.original(finish.headers["Parley-Meeting-Id"]) == data


def test_wrong_content_type_is_415(server, user):
    location = new_upload(user, b"y" * 100)
    for content_type in ("application/octet-stream", "text/plain", ""):
        response = patch(user, location, 0, b"y" * 100, content_type=content_type)
        assert response.status_code == 415, content_type
        assert response.json()["error"]["code"] == "wrong_content_type"
    assert head(user, location).headers["Upload-Offset"] == "0"


def test_upload_length_over_tus_max_size_is_413(server, user):
    maximum = int(requests.options(server.url + "/api/v1/uploads", timeout=10).headers["Tus-Max-Size"])
    for length in (maximum + 1, 1 << 62):
        response = create(user, length, tus_metadata(sha256="a" * 64))
        assert response.status_code == 413, length
        assert response.json()["error"]["code"] == "too_large"
    assert user.meetings() == []


def test_body_past_upload_length_is_413_and_keeps_the_upload_resumable(server, user):
    data = bytes(range(100))
    location = new_upload(user, data)
    assert patch(user, location, 0, data[:40]).status_code == 204
    response = patch(user, location, 40, data[40:] + b"extra bytes past the declared length")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    # None of the refused request is kept: a file cut at Upload-Length would look complete
    # to HEAD (so a client stops) without ever becoming a meeting.
    assert response.headers["Upload-Offset"] == "40"
    assert head(user, location).headers["Upload-Offset"] == "40"
    finish = patch(user, location, 40, data[40:])
    assert finish.status_code == 204, finish.text
    meeting_id = finish.headers.get("Parley-Meeting-Id")
    assert meeting_id, "the upload never became a meeting"
    user.cancel(meeting_id)
    assert user.original(meeting_id) == data


def test_creation_with_upload(server, user):
    data = bytes(range(256)) * 20
    response = user.post(
        "/api/v1/uploads",
        data=data,
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(sha256=sha256(data)),
            "Content-Type": OFFSET_STREAM,
        },
    )
    assert response.status_code == 201
    assert response.headers["Upload-Offset"] == str(len(data))
    meeting_id = response.headers["Parley-Meeting-Id"]
    user.cancel(meeting_id)
    assert user.original(meeting_id) == data


def test_delete_is_204_then_404(server, user):
    data = b"z" * 5000
    location = new_upload(user, data)
    assert patch(user, location, 0, data[:1000]).status_code == 204
    upload_id = location.rsplit("/", 1)[1]
    assert (server.data_dir / "uploads" / f"{upload_id}.part").exists()
    deleted = user.request("DELETE", location, headers=TUS)
    assert deleted.status_code == 204
    assert not (server.data_dir / "uploads" / f"{upload_id}.part").exists()
    assert head(user, location).status_code == 404
    assert patch(user, location, 1000, data[1000:]).status_code == 404
    assert user.request("DELETE", location, headers=TUS).status_code == 404
    assert user.meetings() == []
    # The same bytes can be uploaded afresh.
    assert new_upload(user, data) != location


def test_checksum_mismatch_discards_the_upload(server, user):
    data = bytes(range(256)) * 8
    declared = sha256(b"something else")
    response = create(user, len(data), tus_metadata(sha256=declared))
    location = response.headers["Location"]
    failed = patch(user, location, 0, data)
    assert failed.status_code == 460
    assert failed.json()["error"]["code"] == "checksum_mismatch"
    assert head(user, location).status_code == 404
    assert user.meetings() == []
    assert user.get("/api/v1/meetings/check/x", params={"sha256": sha256(data)}).json() == {"exists": False}
    assert user.get("/api/v1/meetings/check/x", params={"sha256": declared}).json() == {"exists": False}


def test_another_users_upload_is_404(server, user, other_user):
    data = b"q" * 3000
    location = new_upload(user, data)
    assert head(other_user, location).status_code == 404
    assert patch(other_user, location, 0, data).status_code == 404
    assert other_user.request("DELETE", location, headers=TUS).status_code == 404
    assert head(user, location).headers["Upload-Offset"] == "0"


def test_concurrent_patch_to_one_upload_is_423(server, user):
    data = bytes(range(256)) * 1000
    location = new_upload(user, data)
    # A slow writer: headers and the first bytes now, the rest later.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.putrequest("PATCH", location)
    for name, value in {
        **user.auth,
        **TUS,
        "Upload-Offset": "0",
        "Content-Type": OFFSET_STREAM,
        "Content-Length": str(len(data)),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(data[:50_000])
    wait_for(lambda: head(user, location).headers["Upload-Offset"] != "0", 10, what="the slow PATCH to start")
    second = patch(user, location, 0, data)
    assert second.status_code == 423, second.text
    assert second.json()["error"]["code"] == "upload_busy"
    connection.send(data[50_000:])
    finished = connection.getresponse()
    assert finished.status == 204
    meeting_id = finished.getheader("Parley-Meeting-Id")
    connection.close()
    user.cancel(meeting_id)
    assert user.original(meeting_id) == data
