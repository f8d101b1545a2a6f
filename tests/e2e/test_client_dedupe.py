"""The same bytes are one recording locally and one meeting on the server, whatever path,
device or timing they arrive by."""

from __future__ import annotations

import shutil
import threading

from client_support import (  # noqa: F401  (fixtures are used by name)
    account,
    client_server,
    make_tone,
    make_tones,
    new_client,
    sha256_bytes,
    sha256_file,
)


def test_the_same_file_imported_twice_is_one_library_entry(new_client, tmp_path):
    source = make_tone(tmp_path / "a.wav", 3, 4)
    copy = tmp_path / "elsewhere" / "renamed.flac"
    copy.parent.mkdir()
    shutil.copyfile(source, copy)
    client = new_client()
    [first] = client.import_files([source])
    assert first["existing"] is False
    [again] = client.import_files([source])
    assert again == {**first, "existing": True}
    # The same bytes under another name and place, and twice in one command.
    results = client.import_files([copy, source])
    assert [(r["id"], r["existing"]) for r in results] == [(first["id"], True), (first["id"], True)]
    recordings = client.recordings()
    assert [r["id"] for r in recordings] == [first["id"]]
    assert recordings[0]["status"] == "local"
    assert len(list((client.home / "audio").iterdir())) == 1
    # Text output says so too.
    assert "already imported" in client.run("import", str(source)).stdout


def test_two_devices_with_the_same_bytes_make_one_meeting(client_server, account, new_client, tmp_path):
    files = make_tones(tmp_path / "audio", 3, 40, 80, seed=3)
    laptop, desktop = new_client("laptop", PARLEY_CHUNK_KB=16), new_client("desktop", PARLEY_CHUNK_KB=16)
    for device in (laptop, desktop):
        device.login(client_server.url, account.token)
        device.import_files(files)

    first = laptop.sync()
    assert first.ok, first.stderr
    assert first.report["uploaded"] == 3
    assert first.report["bytes_sent"] == sum(path.stat().st_size for path in files)

    second = desktop.sync()
    assert second.ok, second.stderr
    assert second.report["bytes_sent"] == 0, second.report
    assert second.report["uploaded"] == 0
    assert second.report["already_on_server"] == 3

    held = account.synced()
    assert sorted(m["sha256"] for m in held) == sorted(sha256_file(path) for path in files)

    for device in (laptop, desktop):
        final = device.sync("--wait", "--timeout", "300")
        assert final.ok, final.stderr
        assert final.report["bytes_sent"] == 0 or device is laptop
    by_sha = {m["sha256"]: m["id"] for m in account.synced()}
    assert len(by_sha) == 3 and len(account.synced()) == 3
    for device in (laptop, desktop):
        entries = device.recordings()
        assert {e["status"] for e in entries} == {"synced"}, entries
    # Both libraries point at the same meetings.
    laptop_ids = {laptop.status(e["id"])["recording"]["sha256"]: e["server_id"] for e in laptop.recordings()}
    desktop_ids = {desktop.status(e["id"])["recording"]["sha256"]: e["server_id"] for e in desktop.recordings()}
    assert laptop_ids == desktop_ids == by_sha


def test_two_devices_syncing_the_same_bytes_at_once_make_one_meeting(client_server, account, new_client, tmp_path):
    """Both start together, so both may be mid-upload of the same file (the server resumes the
    same tus upload for both): still one meeting per file, whole, and both libraries synced."""
    files = make_tones(tmp_path / "audio", 6, 100, 200, seed=4)
    devices = [new_client(f"d{n}", PARLEY_CHUNK_KB=16) for n in range(2)]
    for device in devices:
        device.login(client_server.url, account.token)
        device.import_files(files)
    runs = [None, None]

    def sync(index: int) -> None:
        runs[index] = devices[index].sync("--parallel", "2")

    threads = [threading.Thread(target=sync, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    for run in runs:
        assert run is not None and run.returncode in (0, 2), run
    # Anything that lost a race is retried by the next pass.
    for device in devices:
        for _ in range(5):
            final = device.sync("--wait", "--timeout", "300")
            if final.ok and set(device.statuses()) == {"synced"}:
                break
        assert set(device.statuses()) == {"synced"}, device.recordings()
    held = account.synced()
    assert sorted(m["sha256"] for m in held) == sorted(sha256_file(path) for path in files), held
    for meeting in held:
        assert sha256_bytes(account.original(meeting["id"])) == meeting["sha256"]
    total = sum(path.stat().st_size for path in files)
    sent = sum(run.report["bytes_sent"] for run in runs if run.report)
    print(f"two devices at once: {sent} bytes sent for {total} bytes of audio")
