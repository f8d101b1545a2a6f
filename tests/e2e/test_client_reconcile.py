"""Start-up reconciliation: every way the library and the server can disagree is repaired by
the next `parley sync`, and nothing is dropped silently."""

from __future__ import annotations

from urllib.parse import urlsplit

from client_support import (  # noqa: F401  (fixtures are used by name)
    TUS,
    FaultProxy,
    account,
    client_server,
    kill_mid_upload,
    make_tone,
    new_client,
    sha256_bytes,
    sha256_file,
)

CHUNK_KB = 32
CHUNK = CHUNK_KB * 1024


def history(client, recording_id: str) -> list[tuple[str | None, str]]:
    return [(change.get("fromStatus"), change["toStatus"]) for change in client.status(recording_id)["history"]]


def test_a_recording_stuck_in_uploading_resumes(client_server, account, new_client, tmp_path):
    source = make_tone(tmp_path / "stuck.wav", 5, 16)
    with FaultProxy(client_server.port, patch_delay=0.25) as proxy:
        client = new_client(PARLEY_CHUNK_KB=CHUNK_KB)
        client.login(proxy.url, account.token)
        [imported] = client.import_files([source])
        crashed = kill_mid_upload(client, account, proxy, imported["id"], min_bytes=2 * CHUNK)
    # The crash left it `uploading`, and `ls` shows it so.
    assert crashed.recording["status"] == "uploading"
    assert [e["status"] for e in client.recordings()] == ["uploading"]
    client.point_at(client_server.url)

    run = client.sync("--wait", "--timeout", "300")
    assert run.ok, run.stderr
    assert run.report["uploaded"] == 1 and run.report["completed"] == 1, run.report
    assert run.report["bytes_sent"] <= crashed.size - crashed.server_offset, "it must resume, not start over"
    status = client.status(imported["id"])["recording"]
    assert status["status"] == "synced"
    assert status["uploadedBytes"] == crashed.size
    assert status["transcriptJson"], "the result is cached locally once synced"
    steps = history(client, imported["id"])
    assert steps[-4:] == [
        ("uploading", "queued"),
        ("queued", "uploading"),
        ("uploading", "processing"),
        ("processing", "synced"),
    ], steps
    held = account.synced()
    assert [(m["id"], m["status"]) for m in held] == [(status["serverId"], "synced")]
    assert sha256_bytes(account.original(held[0]["id"])) == sha256_file(source)


def test_a_stuck_upload_the_server_forgot_starts_over(client_server, account, new_client, tmp_path):
    """The partial upload was removed on the server (expired, or terminated): the client
    notices (HEAD 404), creates a new upload and sends the whole file once."""
    source = make_tone(tmp_path / "forgotten.wav", 6, 12)
    with FaultProxy(client_server.port, patch_delay=0.25) as proxy:
        client = new_client(PARLEY_CHUNK_KB=CHUNK_KB)
        client.login(proxy.url, account.token)
        [imported] = client.import_files([source])
        crashed = kill_mid_upload(client, account, proxy, imported["id"], min_bytes=2 * CHUNK)
    terminated = account.request("DELETE", urlsplit(crashed.location).path, headers=TUS)
    assert terminated.status_code == 204, terminated.text
    assert account.upload_offset(crashed.location) is None
    client.point_at(client_server.url)

    run = client.sync()
    assert run.ok, run.stderr
    assert run.report["bytes_sent"] == crashed.size, run.report
    assert run.report["uploaded"] == 1
    held = account.synced()
    assert len(held) == 1 and held[0]["sha256"] == sha256_file(source)
    assert sha256_bytes(account.original(held[0]["id"])) == sha256_file(source)


def test_synced_but_deleted_on_the_server_is_uploaded_again(client_server, account, new_client, tmp_path):
    keep, lose = make_tone(tmp_path / "keep.wav", 7, 3), make_tone(tmp_path / "lose.wav", 8, 3)
    client = new_client()
    client.login(client_server.url, account.token)
    imported = {stem(entry): entry["id"] for entry in client.import_files([keep, lose])}
    first = client.sync("--wait", "--timeout", "300")
    assert first.ok and first.report["completed"] == 2, first
    lost_meeting = client.status(imported["lose"])["recording"]["serverId"]
    kept_meeting = client.status(imported["keep"])["recording"]["serverId"]
    account.delete(lost_meeting)
    assert {m["id"] for m in account.synced()} == {kept_meeting}

    again = client.sync()
    assert again.ok, again.stderr
    assert again.report["requeued"] == 1, again.report
    assert again.report["uploaded"] == 1
    assert again.report["bytes_sent"] == lose.stat().st_size
    final = client.sync("--wait", "--timeout", "300")
    assert final.ok, final.stderr
    recording = client.status(imported["lose"])["recording"]
    assert recording["status"] == "synced"
    assert recording["serverId"] not in (None, lost_meeting)
    assert ("synced", "queued") in history(client, imported["lose"])
    held = {m["id"]: m for m in account.synced()}
    assert set(held) == {kept_meeting, recording["serverId"]}
    assert held[recording["serverId"]]["sha256"] == sha256_file(lose)
    assert sha256_bytes(account.original(recording["serverId"])) == sha256_file(lose)
    # The untouched one was left alone.
    assert client.status(imported["keep"])["recording"]["serverId"] == kept_meeting


def test_a_recording_the_server_already_has_is_synced_without_upload(client_server, account, new_client, tmp_path):
    source = make_tone(tmp_path / "curl.wav", 9, 3)
    # Uploaded some other way first: a single-request POST, as curl would.
    meeting = account.upload_direct(source.read_bytes(), title="from curl", filename="curl.wav")
    account.wait_status(meeting["id"], timeout=180)
    client = new_client()
    client.login(client_server.url, account.token)
    [imported] = client.import_files([source])

    run = client.sync("--wait", "--timeout", "300")
    assert run.ok, run.stderr
    assert run.report["bytes_sent"] == 0, run.report
    assert run.report["uploaded"] == 0
    assert run.report["already_on_server"] == 1
    recording = client.status(imported["id"])["recording"]
    assert recording["status"] == "synced"
    assert recording["serverId"] == meeting["id"]
    assert [m["id"] for m in account.synced()] == [meeting["id"]]
    assert ("local", "uploading") not in history(client, imported["id"])
    assert ("queued", "uploading") not in history(client, imported["id"])


def test_a_local_file_that_disappeared_is_reported_not_dropped(client_server, account, new_client, tmp_path):
    present, vanished = make_tone(tmp_path / "present.wav", 10, 2), make_tone(tmp_path / "vanished.wav", 11, 2)
    client = new_client()
    client.login(client_server.url, account.token)
    imported = {stem(entry): entry["id"] for entry in client.import_files([present, vanished])}
    library_copy = client.status(imported["vanished"])["recording"]["localPath"]
    assert library_copy.startswith(str(client.home / "audio"))
    (client.home / "audio" / library_copy.rsplit("/", 1)[1]).unlink()

    run = client.run("sync", check=False)
    assert "missing local file" in run.stdout and library_copy in run.stdout, run.stdout
    report = client.sync()
    assert report.report is not None, report.stderr
    recording = client.status(imported["vanished"])["recording"]
    assert recording["status"] == "failed"
    assert library_copy in recording["failureReason"] and "disappeared" in recording["failureReason"], recording
    assert recording["retryable"] is False
    # Still listed, with its reason, in the unified view.
    listed = {e["id"]: e for e in client.recordings()}
    assert listed[imported["vanished"]]["status"] == "failed"
    assert library_copy in listed[imported["vanished"]]["failure_reason"]
    assert "disappeared" in client.run("ls").stdout
    # The other recording was not held back, and nothing half-made reached the server.
    assert listed[imported["present"]]["status"] in ("processing", "synced")
    assert [m["sha256"] for m in account.synced()] == [sha256_file(present)]


def stem(entry: dict) -> str:
    """'keep' for an import result of '.../keep.wav'."""
    return entry["file"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
