"""Crash safety: `kill -9` the server while a job runs and while an upload is half done, start
it again on the same data directory, and nothing is lost or duplicated."""

from __future__ import annotations

import http.client

import pytest
from tusclient import client as tus_client

from support import OFFSET_STREAM, TUS, ParleyServer, file_sha256, pid_alive, sha256, squashed, tus_metadata, wait_for

CHUNK = 64 * 1024
# A short lease, so the job of the killed server is reclaimed within seconds.
CRASH_ENV = {"PARLEY_LEASE_SECONDS": "3", "PARLEY_RETRY_DELAY": "0.5"}


@pytest.fixture
def crashable(tmp_path):
    server = ParleyServer(tmp_path / "data", env=CRASH_ENV).start()
    yield server
    if server.process and server.process.poll() is None:
        server.stop()


def assert_engines_exit(pids: list[int]) -> None:
    """The engine watches its parent and must not outlive a killed server."""
    wait_for(
        lambda: not any(pid_alive(pid) for pid in pids),
        15,
        interval=0.2,
        what=f"orphaned engine processes {pids} to exit",
    )


def test_kill_9_while_a_job_runs(crashable, make_wav):
    server = crashable
    user = server.add_user("crash-job")
    data = make_wav(30).read_bytes()
    meeting = user.upload(data, title="Interrupted", client_id="crash-1")

    def model_stage_running():
        status = user.status(meeting["id"])
        return next(
            (
                stage["stage"]
                for stage in status["stages"]
                if stage["stage"] in ("transcribe", "diarize") and stage.get("state") == "running"
            ),
            None,
        )

    interrupted = wait_for(model_stage_running, 120, interval=0.05, what="transcribe or diarize to be running")
    engines = server.kill9()
    assert engines, "a model stage was running, so an engine process should have been"
    assert_engines_exit(engines)

    server.start()
    final = user.wait_status(meeting["id"], timeout=240)
    assert final["status"] == "synced", final
    stages = {stage["stage"]: stage for stage in final["stages"]}
    assert all(stage["state"] == "done" for stage in stages.values()), stages
    assert stages[interrupted]["attempts"] >= 2, "the interrupted stage should have been run again"
    assert [m["id"] for m in user.meetings()] == [meeting["id"]]
    detail = user.get(f"/api/v1/meetings/{meeting['id']}").json()
    assert detail["transcript"]["segments"]
    spoken = squashed(" ".join(s["text"] for s in detail["transcript"]["segments"]))
    assert squashed("ask not what your country can do for you") in spoken, detail["transcript"]["segments"]
    assert user.original(meeting["id"]) == data


def test_kill_9_while_an_upload_is_half_done(crashable, make_wav):
    server = crashable
    user = server.add_user("crash-upload")
    source = make_wav(33)
    size = source.stat().st_size
    digest = file_sha256(source)
    client = tus_client.TusClient(server.url + "/api/v1/uploads", headers=user.auth)
    uploader = client.uploader(
        str(source), chunk_size=CHUNK, metadata={"sha256": digest, "client_id": "crash-2", "filename": "crash.wav"}
    )
    uploader.upload(stop_at=6 * CHUNK)
    location = uploader.url.removeprefix(server.url)

    # The server dies in the middle of the next PATCH, with part of its body received.
    data = source.read_bytes()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("PATCH", location)
    for name, value in {
        **user.auth,
        **TUS,
        "Upload-Offset": str(6 * CHUNK),
        "Content-Type": OFFSET_STREAM,
        "Content-Length": str(4 * CHUNK),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(data[6 * CHUNK : 6 * CHUNK + 100_000])
    part = server.data_dir / "uploads" / f"{location.rsplit('/', 1)[1]}.part"
    wait_for(lambda: part.stat().st_size > 6 * CHUNK, 10, what="the interrupted PATCH to write")
    server.kill9()
    connection.close()

    server.start()
    offset = int(user.request("HEAD", location, headers=TUS).headers["Upload-Offset"])
    assert 6 * CHUNK <= offset <= 6 * CHUNK + 100_000
    client = tus_client.TusClient(server.url + "/api/v1/uploads", headers=user.auth)
    resumed = client.uploader(str(source), url=server.url + location, chunk_size=CHUNK)
    assert resumed.offset == offset  # resumes where the bytes on disk end, not from 0
    resumed.upload()
    assert resumed.offset == size

    [meeting] = user.meetings()
    user.cancel(meeting["id"])
    assert meeting["client_id"] == "crash-2"
    assert sha256(user.original(meeting["id"])) == digest
    # Uploading it once more finds the meeting: still one.
    again = user.post(
        "/api/v1/uploads", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": tus_metadata(sha256=digest)}
    )
    assert again.headers["Parley-Meeting-Id"] == meeting["id"]
    assert len(user.meetings()) == 1
    assert list((server.data_dir / "uploads").iterdir()) == []
