"""Offload deletes local audio only once the server has verifiably the same bytes."""

from __future__ import annotations

from pathlib import Path

from client_support import (  # noqa: F401  (fixtures are used by name)
    FaultPlan,
    FaultProxy,
    account,
    client_server,
    make_tones,
    new_client,
    rewrite_metadata_sha,
    sha256_bytes,
    sha256_file,
)


def local_copies(client) -> dict[str, str | None]:
    return {entry["id"]: client.status(entry["id"])["recording"].get("localPath") for entry in client.recordings()}


def test_after_sync_offload_deletes_verified_audio_and_storage_reports_it(client_server, account, new_client, tmp_path):
    files = make_tones(tmp_path / "audio", 3, 40, 80, seed=5)
    total = sum(path.stat().st_size for path in files)
    client = new_client()
    client.login(client_server.url, account.token, offload="after-sync")
    client.import_files(files)
    before = client.storage()
    assert before == {
        "local_bytes": total,
        "offloaded_bytes": 0,
        "originals_still_on_disk_bytes": 0,
        "policy": "after-sync",
    }
    copies = local_copies(client)
    assert all(copy and Path(copy).exists() for copy in copies.values())

    run = client.sync("--wait", "--timeout", "300")
    assert run.ok, run.stderr
    assert run.report["completed"] == 3 and run.report["offloaded"] == 3, run.report
    # The imported originals are hard links and still exist, and storage says so.
    assert client.storage() == {
        "local_bytes": 0,
        "offloaded_bytes": total,
        "originals_still_on_disk_bytes": total,
        "policy": "after-sync",
    }
    for recording_id, copy in copies.items():
        assert not Path(copy).exists(), f"{copy} should have been offloaded"
        status = client.status(recording_id)["recording"]
        assert status["status"] == "synced" and status.get("localPath") is None and status["offloadedAt"]
        # The server really holds the bytes that were deleted here.
        assert sha256_bytes(account.original(status["serverId"])) == status["sha256"]
    assert "offloaded: " in client.run("storage").stdout
    # The user's own files were never touched (the library held its own copies).
    assert all(path.exists() and path.stat().st_size > 0 for path in files)
    # Offloaded recordings stay listed (on the server only) and keep their transcripts.
    assert {entry["location"].strip() for entry in client.json("ls")} == {"☁️"}
    again = client.sync()
    assert again.ok and again.report["bytes_sent"] == 0 and again.report["failed"] == [], again


def test_offload_keeps_audio_when_the_server_reports_a_different_hash(client_server, account, new_client, tmp_path):
    files = make_tones(tmp_path / "audio", 2, 40, 80, seed=6)
    total = sum(path.stat().st_size for path in files)
    with FaultProxy(client_server.port, rewrite=rewrite_metadata_sha) as liar:
        client = new_client()
        client.login(liar.url, account.token, offload="after-sync")
        client.import_files(files)
        copies = local_copies(client)
        run = client.sync("--wait", "--timeout", "300")
        assert run.ok, run.stderr
        assert run.report["completed"] == 2, run.report
        assert run.report["offloaded"] == 0, run.report
        assert liar.counts["rewritten"] >= 2, "the client must have asked for the server's hash"
        # A second pass asks again and still refuses.
        assert client.sync().report["offloaded"] == 0
    for copy in copies.values():
        assert Path(copy).exists(), f"{copy} was deleted although the server's hash did not match"
    assert all(entry["status"] == "synced" for entry in client.recordings())
    assert client.storage() == {
        "local_bytes": total,
        "offloaded_bytes": 0,
        "originals_still_on_disk_bytes": 0,
        "policy": "after-sync",
    }
    # The same library talking to the honest server offloads: the hash was the only reason.
    client.point_at(client_server.url)
    honest = client.sync()
    assert honest.ok and honest.report["offloaded"] == 2, honest
    assert client.storage()["offloaded_bytes"] == total


def test_offload_keeps_audio_when_the_server_cannot_confirm_it(client_server, account, new_client, tmp_path):
    """Every /audio/metadata request fails (503, retries spent): unverified, so nothing is
    deleted, and the pass itself still completes with its report."""
    [source] = make_tones(tmp_path / "audio", 1, 40, 60, seed=7)
    plan = FaultPlan(seed=1, status=1.0, statuses=(503,), only=lambda method, target: "/audio/metadata" in target)
    with FaultProxy(client_server.port, plan) as flaky:
        client = new_client(PARLEY_RETRY_ATTEMPTS=2)
        client.login(client_server.url, account.token, offload="after-sync")
        client.point_at(flaky.url)
        [imported] = client.import_files([source])
        run = client.sync("--wait", "--timeout", "300")
        assert run.ok, run.stderr
        assert run.report["completed"] == 1 and run.report["offloaded"] == 0, run.report
        assert flaky.counts["503"] >= 2
    recording = client.status(imported["id"])["recording"]
    assert recording["status"] == "synced"
    assert Path(recording["localPath"]).exists()
    assert client.storage()["offloaded_bytes"] == 0


def test_keep_and_after_days_policies_keep_audio(client_server, account, new_client, tmp_path):
    files = make_tones(tmp_path / "audio", 2, 30, 40, seed=8)
    for policy in ("keep", "after-days=30"):
        client = new_client(policy.replace("=", ""))
        client.login(client_server.url, account.token, offload=policy)
        client.import_files(files)
        run = client.sync("--wait", "--timeout", "300")
        assert run.ok and run.report["offloaded"] == 0, run
        assert client.storage()["offloaded_bytes"] == 0
        assert client.storage()["policy"] == policy
        assert all(Path(copy).exists() for copy in local_copies(client).values())


def test_an_offloaded_recording_lost_on_the_server_is_reported(client_server, account, new_client, tmp_path):
    """No local audio and no server copy: nothing can be re-uploaded, so it must say so."""
    [source] = make_tones(tmp_path / "audio", 1, 30, 40, seed=9)
    client = new_client()
    client.login(client_server.url, account.token, offload="after-sync")
    [imported] = client.import_files([source])
    run = client.sync("--wait", "--timeout", "300")
    assert run.ok and run.report["offloaded"] == 1, run
    account.delete(client.status(imported["id"])["recording"]["serverId"])

    lost = client.sync()
    assert lost.returncode == 2 and lost.report["failed"] == [imported["id"]], lost
    recording = client.status(imported["id"])["recording"]
    assert recording["status"] == "failed" and recording["retryable"] is False
    assert "offloaded" in recording["failureReason"] and "no longer has it" in recording["failureReason"]
    # Reported once; later passes neither retry it nor fail again.
    again = client.sync()
    assert again.ok and again.report["failed"] == [] and again.report["bytes_sent"] == 0, again
