"""Dedupe: the same bytes are one meeting per owner, however and however often they arrive;
a duplicate costs no upload bytes."""

from __future__ import annotations

import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from tusclient import client as tus_client

from support import TUS, file_sha256, sha256, tus_metadata

CHUNK = 64 * 1024


class CountingFile(io.BufferedReader):
    """A file whose reads are counted: the bytes a tus client actually sends."""

    def __init__(self, path):
        super().__init__(io.FileIO(path, "rb"))
        self.sent = 0

    def read(self, size=-1):
        data = super().read(size)
        self.sent += len(data)
        return data


def uploaded_bytes(server) -> int:
    """The server's own count of upload bytes received (parley_upload_bytes_total)."""
    text = requests.get(server.url + "/metrics", timeout=10).text
    match = re.search(r"^parley_upload_bytes_total(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.MULTILINE)
    return int(float(match.group(1))) if match else 0


def tus_upload(server, user, path, **metadata):
    """A complete tuspy upload; returns (uploader, bytes read from the file)."""
    stream = CountingFile(path)
    client = tus_client.TusClient(server.url + "/api/v1/uploads", headers=user.auth)
    uploader = client.uploader(file_stream=stream, chunk_size=CHUNK, metadata={"sha256": file_sha256(path), **metadata})
    uploader.upload()
    stream.close()
    return uploader, stream.sent


def test_same_bytes_twice_by_tus_is_one_meeting_and_zero_bytes(server, user, make_wav):
    source = make_wav(33)
    size = source.stat().st_size
    counted = uploaded_bytes(server)
    first, sent = tus_upload(server, user, source, client_id="dup-a", filename="dup.wav")
    assert sent == size
    assert uploaded_bytes(server) - counted == size  # the server's counter sees real uploads
    [meeting] = user.meetings()
    user.cancel(meeting["id"])

    # A second client with another id: creation answers with the existing meeting, and a
    # resuming client (HEAD before PATCH, as tuspy does with a known URL) sends nothing.
    before = uploaded_bytes(server)
    creation = user.post(
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": str(size),
            "Upload-Metadata": tus_metadata(sha256=file_sha256(source), client_id="dup-b", filename="dup.wav"),
        },
    )
    assert creation.status_code == 201
    assert creation.headers["Parley-Duplicate"] == "true"
    assert creation.headers["Parley-Meeting-Id"] == meeting["id"]
    assert creation.headers["Upload-Offset"] == str(size)
    stream = CountingFile(source)
    client = tus_client.TusClient(server.url + "/api/v1/uploads", headers=user.auth)
    second = client.uploader(file_stream=stream, url=server.url + creation.headers["Location"], chunk_size=CHUNK)
    assert second.offset == size
    second.upload()
    assert stream.sent == 0
    assert uploaded_bytes(server) == before
    assert [m["id"] for m in user.meetings()] == [meeting["id"]]


def test_duplicate_through_plain_tuspy_upload_succeeds_without_the_file(server, user, make_wav):
    source = make_wav(33)
    size = source.stat().st_size
    tus_upload(server, user, source, client_id="plain-a")
    [meeting] = user.meetings()
    user.cancel(meeting["id"])
    before = uploaded_bytes(server)
    # tuspy's upload() PATCHes from 0 straight after creation without asking HEAD; the
    # server acknowledges the whole file at once, so at most one chunk leaves the client.
    uploader, sent = tus_upload(server, user, source, client_id="plain-b")
    assert uploader.offset == size
    assert sent <= CHUNK
    assert uploaded_bytes(server) == before
    assert [m["id"] for m in user.meetings()] == [meeting["id"]]


def test_same_bytes_by_direct_upload_is_one_meeting(server, user, make_wav):
    data = make_wav(5).read_bytes()
    first = user.post("/api/v1/meetings", params={"client_id": "direct-a"}, data=data)
    assert first.status_code == 201 and first.json()["exists"] is False
    meeting_id = first.json()["meeting"]["id"]
    user.cancel(meeting_id)
    # Another client id, same bytes: found after reading the body.
    second = user.post("/api/v1/meetings", params={"client_id": "direct-b"}, data=data)
    assert second.status_code == 200 and second.json()["exists"] is True
    assert second.json()["meeting"]["id"] == meeting_id
    # Declaring the hash answers before the body is read: the server counts no bytes.
    before = uploaded_bytes(server)
    third = user.post("/api/v1/meetings", params={"sha256": sha256(data), "client_id": "direct-c"}, data=data)
    assert third.status_code == 200 and third.json()["meeting"]["id"] == meeting_id
    assert uploaded_bytes(server) == before
    # The same client id (a re-sent recording) is the same meeting too.
    fourth = user.post("/api/v1/meetings", params={"client_id": "direct-a"}, data=data)
    assert fourth.json()["meeting"]["id"] == meeting_id
    # tus creation of those bytes points at the meeting as well.
    creation = user.post(
        "/api/v1/uploads",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": tus_metadata(sha256=sha256(data))},
    )
    assert creation.headers["Parley-Meeting-Id"] == meeting_id
    assert [m["id"] for m in user.meetings()] == [meeting_id]
    assert user.get("/api/v1/meetings/check/direct-a").json()["meeting"]["id"] == meeting_id
    assert user.get("/api/v1/meetings/check/zzz", params={"sha256": sha256(data)}).json()["exists"] is True


def test_same_bytes_for_two_users_are_two_meetings(server, user, other_user, make_wav):
    data = make_wav(5).read_bytes()
    mine = user.upload(data)
    theirs = other_user.upload(data)
    user.cancel(mine["id"])
    other_user.cancel(theirs["id"])
    assert mine["id"] != theirs["id"]


def test_concurrent_tus_creates_of_the_same_bytes_share_one_upload(server, user, make_wav):
    source = make_wav(10)
    data = source.read_bytes()
    headers = {
        **user.auth,
        **TUS,
        "Upload-Length": str(len(data)),
        "Upload-Metadata": tus_metadata(sha256=sha256(data), filename="race.wav"),
    }
    barrier = threading.Barrier(8)

    def create(_):
        barrier.wait(10)
        return requests.post(server.url + "/api/v1/uploads", headers=headers, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(create, range(8)))
    assert {r.status_code for r in responses} == {201}
    locations = {r.headers["Location"] for r in responses}
    assert len(locations) == 1, locations

    # Several tuspy clients then race to upload it; each retries on 409/423 after a HEAD.
    url = server.url + locations.pop()
    client = tus_client.TusClient(server.url + "/api/v1/uploads", headers=user.auth)

    def upload(_):
        barrier.wait(10)
        uploader = client.uploader(str(source), url=url, chunk_size=CHUNK, retries=50, retry_delay=0.05)
        uploader.upload()
        return uploader.offset

    barrier = threading.Barrier(4)
    with ThreadPoolExecutor(4) as pool:
        offsets = list(pool.map(upload, range(4)))
    assert offsets == [len(data)] * 4
    [meeting] = user.meetings()
    user.cancel(meeting["id"])
    assert sha256(user.original(meeting["id"])) == sha256(data)


def test_concurrent_direct_uploads_of_the_same_bytes_are_one_meeting(server, user, make_wav):
    data = make_wav(8).read_bytes()
    folders_before = set((server.data_dir / "audio").iterdir())
    barrier = threading.Barrier(6)

    def upload(index):
        barrier.wait(10)
        return requests.post(
            server.url + "/api/v1/meetings",
            params={"client_id": f"race-{index}"},
            data=data,
            headers=user.auth,
            timeout=60,
        )

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(upload, range(6)))
    assert sorted(r.status_code for r in responses) == [200] * 5 + [201]
    ids = {r.json()["meeting"]["id"] for r in responses}
    assert len(ids) == 1
    [meeting] = user.meetings()
    user.cancel(meeting["id"])
    assert meeting["id"] in ids
    assert sha256(user.original(meeting["id"])) == sha256(data)
    # The losers' copies are gone from disk: one new meeting folder holds the audio.
    new_folders = set((server.data_dir / "audio").iterdir()) - folders_before
    assert [folder.name for folder in new_folders] == [meeting["id"]]
