"""`parley watch` imports finished recordings from a folder, once, and never a half-written one."""

from __future__ import annotations

import time

from client_support import make_tone, new_client, sha256_file  # noqa: F401  (fixtures are used by name)


def test_watch_once_imports_complete_files_and_skips_partial_names(new_client, tmp_path):
    folder = tmp_path / "recorder"
    folder.mkdir()
    a = make_tone(folder / "a.wav", 20, 1)
    (folder / "sub").mkdir()
    b = make_tone(folder / "sub" / "b.wav", 21, 1)  # subfolders are watched too
    make_tone(tmp_path / "c.wav", 22, 1).rename(folder / "c.wav.part")  # still being written by a recorder
    (folder / "notes.txt").write_text("not audio")
    client = new_client()
    started = time.monotonic()
    result = client.run("watch", str(folder), "--settle", "0.5", "--once", timeout=60)
    assert time.monotonic() - started >= 0.5, "a file must stay unchanged for --settle before it is imported"
    assert result.stdout.count("imported") == 2, result.stdout
    hashes = {client.status(entry["id"])["recording"]["sha256"] for entry in client.recordings()}
    assert hashes == {sha256_file(a), sha256_file(b)}
    # A second run finds them already in the library and imports nothing new.
    again = client.run("watch", str(folder), "--settle", "0.5", "--once", timeout=60)
    assert "imported" not in again.stdout
    assert len(client.recordings()) == 2


def test_watch_waits_for_a_growing_file(new_client, tmp_path):
    folder = tmp_path / "recorder"
    folder.mkdir()
    whole = make_tone(tmp_path / "whole.wav", 23, 4).read_bytes()
    target = folder / "growing.wav"
    target.write_bytes(whole[: len(whole) // 4])
    client = new_client()
    watcher = client.spawn("watch", str(folder), "--settle", "1.5")
    try:
        # Keep writing for ~3 s, longer than --settle, in pieces less than --settle apart.
        for piece in range(1, 4):
            time.sleep(0.8)
            with open(target, "ab") as handle:
                handle.write(whole[len(whole) * piece // 4 : len(whole) * (piece + 1) // 4])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not client.recordings():
            time.sleep(0.2)
        time.sleep(2)  # and nothing more shows up afterwards
    finally:
        watcher.terminate()
        watcher.wait(10)
        watcher.stdout.close()
        watcher.stderr.close()
    [entry] = client.recordings()
    recording = client.status(entry["id"])["recording"]
    assert recording["size"] == len(whole)
    assert recording["sha256"] == sha256_file(target)
