"""A client killed (SIGKILL) mid-upload resumes from the server's offset when restarted."""

from __future__ import annotations

from client_support import (  # noqa: F401  (fixtures are used by name)
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


def test_kill_minus_nine_mid_upload_resumes_from_the_server_offset(client_server, account, new_client, tmp_path):
    # 20 s of audio = 640 KB = 20 chunks; the proxy holds each chunk 0.25 s, so the upload
    # takes ~5 s and the kill lands in the middle of it.
    source = make_tone(tmp_path / "long.wav", 1, 20)
    size = source.stat().st_size
    with FaultProxy(client_server.port, patch_delay=0.25) as proxy:
        client = new_client(PARLEY_CHUNK_KB=CHUNK_KB)
        client.login(proxy.url, account.token)
        [imported] = client.import_files([source])

        crashed = kill_mid_upload(client, account, proxy, imported["id"], min_bytes=3 * CHUNK)
        assert crashed.recording["status"] == "uploading", crashed.recording
        assert 3 * CHUNK <= crashed.server_offset < size, (crashed.server_offset, size)
        assert account.synced() == [], "a half-sent file must not be a meeting yet"

        proxy.patch_delay = 0
        proxy.counts.clear()
        forwarded_before = proxy.patch_bytes_forwarded
        run = client.sync()
        assert run.ok, run.stderr
    report = run.report
    missing = size - crashed.server_offset
    resent = report["bytes_sent"] - missing
    # Exactly what the server lacked, give or take less than a chunk.
    assert 0 <= resent < CHUNK, f"sent {report['bytes_sent']} bytes; the server lacked {missing}"
    assert proxy.patch_bytes_forwarded - forwarded_before == report["bytes_sent"]
    assert report["uploaded"] == 1 and report["failed"] == [], report
    # The resumed upload used the same tus upload (HEAD, then PATCHes): no new POST.
    held = account.synced()
    assert len(held) == 1, held
    assert held[0]["sha256"] == sha256_file(source)
    assert sha256_bytes(account.original(held[0]["id"])) == sha256_file(source)
    recording = client.status(imported["id"])
    assert recording["recording"]["serverId"] == held[0]["id"]
    assert recording["recording"]["status"] in ("processing", "synced")
    # The history shows the interruption and the resumption.
    steps = [(change.get("fromStatus"), change["toStatus"]) for change in recording["history"]]
    assert ("uploading", "queued") in steps and steps.count(("queued", "uploading")) == 2, steps


def test_resume_after_kill_through_a_restarted_client_twice(client_server, account, new_client, tmp_path):
    """Two crashes in a row: each restart continues from where the server is, and the file
    arrives whole once."""
    source = make_tone(tmp_path / "longer.wav", 2, 24)
    size = source.stat().st_size
    with FaultProxy(client_server.port, patch_delay=0.2) as proxy:
        client = new_client(PARLEY_CHUNK_KB=CHUNK_KB)
        client.login(proxy.url, account.token)
        [imported] = client.import_files([source])
        first = kill_mid_upload(client, account, proxy, imported["id"], min_bytes=3 * CHUNK)
        second = kill_mid_upload(client, account, proxy, imported["id"], min_bytes=first.server_offset + 3 * CHUNK)
        assert second.location == first.location, "the restarted client must reuse its tus upload"
        assert first.server_offset < second.server_offset < size
        proxy.patch_delay = 0
        run = client.sync()
        assert run.ok, run.stderr
    assert 0 <= run.report["bytes_sent"] - (size - second.server_offset) < CHUNK, run.report
    held = account.synced()
    assert [meeting["sha256"] for meeting in held] == [sha256_file(source)]
    assert sha256_bytes(account.original(held[0]["id"])) == sha256_file(source)
