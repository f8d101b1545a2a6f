"""Backups that restore: `parley backup` of a running server, `parley restore` into a new
data directory, `parley backup --verify`; damaged backups, kills mid-way, full disks;
upgrades that keep a copy of the database and refuse a newer one."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from support import BINARY, TUS, Api, ParleyServer, make_audio, sha256, tus_metadata, wait_for


def parley(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, f"parley {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


def snapshots(backup: Path) -> list[Path]:
    folder = backup / "snapshots"
    return sorted(p for p in folder.iterdir() if (p / "manifest.json").exists()) if folder.exists() else []


def view(server: ParleyServer, user) -> dict:
    """Everything a user sees that a restore must bring back, by meeting."""
    seen = {}
    for meeting in user.meetings():
        mid = meeting["id"]
        detail = user.get(f"/api/v1/meetings/{mid}").json()
        audio = {
            variant: sha256(user.get(f"/api/v1/meetings/{mid}/audio/stream", params=params).content)
            for variant, params in (("original", {"variant": "original"}), ("playback", {}))
        }
        seen[mid] = {
            "meeting": {k: v for k, v in detail["meeting"].items() if k not in ("queue_position",)},
            "transcript": detail.get("transcript"),
            "insights": detail.get("insights"),
            "audio": audio,
        }
    return {"meetings": seen, "voiceprints": user.get("/api/v1/voiceprints").json()}


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    """A running server with a processed meeting (renamed speaker, so an edit and a
    voiceprint), a meeting whose processing was cancelled, and a half-finished upload."""
    root = tmp_path_factory.mktemp("backup")
    server = ParleyServer(root / "data").start()
    user = server.add_user("owner")
    processed = user.upload(make_audio(root / "jfk.wav", 11).read_bytes(), filename="jfk.wav", title="Processed")
    assert user.wait_status(processed["id"], timeout=180)["status"] == "synced"
    renamed = user.request(
        "PATCH", f"/api/v1/meetings/{processed['id']}/speakers/speaker_1", json={"custom_name": "JFK"}
    )
    assert renamed.status_code == 200
    cancelled = user.upload(
        make_audio(root / "other.wav", 4, tag="cancelled").read_bytes(), filename="o.wav", title="Cancelled"
    )
    user.cancel(cancelled["id"])
    partial = os.urandom(50_000)
    creation = user.post(
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(partial)),
            "Upload-Metadata": tus_metadata(sha256=sha256(partial), filename="p.wav"),
        },
    )
    user.request(
        "PATCH",
        creation.headers["Location"],
        data=partial[:20_000],
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    yield server, user, root
    server.stop()


def test_backup_restore_round_trip(populated):
    server, user, root = populated
    before = view(server, user)
    backup = root / "round-trip"
    out = parley("backup", "--to", str(backup), "--data", str(server.data_dir)).stdout
    copied = re.search(r"backed up 2 meetings \((\d+) audio files, (\d+) new", out)
    assert copied and int(copied[1]) >= 3 and copied[1] == copied[2], out  # two originals and a playback copy, all new
    manifest = json.loads((snapshots(backup)[0] / "manifest.json").read_text())
    assert manifest["meetings"] == 2 and all(len(f["sha256"]) == 64 for f in manifest["files"])
    assert "ok" in parley("backup", "--verify", str(backup)).stdout

    target = root / "restored"
    assert "restored 2 meetings" in parley("restore", "--from", str(backup), "--data", str(target)).stdout
    restored = ParleyServer(target).start()
    try:
        # The same account and token work on the restored server.
        again = Api(restored, user.token, user.name)
        assert view(restored, again) == before
    finally:
        restored.stop()


def test_a_second_backup_copies_only_new_audio(populated, tmp_path):
    server, user, root = populated
    backup = tmp_path / "incremental"
    parley("backup", "--to", str(backup), "--data", str(server.data_dir))
    time.sleep(0.01)  # snapshot names are per millisecond
    unchanged = parley("backup", "--to", str(backup), "--data", str(server.data_dir)).stdout
    assert " 0 new, 0.0 MB copied" in unchanged, unchanged
    extra = user.upload(os.urandom(300_000), filename="x.wav", title="new")
    user.cancel(extra["id"])
    time.sleep(0.01)
    grown = parley("backup", "--to", str(backup), "--data", str(server.data_dir), "--keep", "2").stdout
    assert " 1 new" in grown and "removed 1 old snapshot" in grown, grown
    assert len(snapshots(backup)) == 2
    user.request("DELETE", f"/api/v1/meetings/{extra['id']}")


def test_a_damaged_backup_is_refused_naming_the_file(populated, tmp_path):
    server, _, _ = populated
    backup = tmp_path / "damaged"
    parley("backup", "--to", str(backup), "--data", str(server.data_dir))
    manifest = json.loads((snapshots(backup)[0] / "manifest.json").read_text())
    victim = next(f for f in manifest["files"] if f["path"].endswith("original.wav"))
    obj = backup / "objects" / victim["sha256"][:2] / victim["sha256"]
    data = bytearray(obj.read_bytes())
    data[len(data) // 2] ^= 0xFF
    obj.write_bytes(bytes(data))
    verify = parley("backup", "--verify", str(backup), check=False)
    assert verify.returncode != 0 and victim["path"] in verify.stdout, verify.stdout
    target = tmp_path / "never"
    restore = parley("restore", "--from", str(backup), "--data", str(target), check=False)
    assert restore.returncode != 0 and victim["path"] in restore.stderr, restore.stderr
    assert not target.exists() or not any(target.iterdir())


def test_restore_refuses_a_data_directory_in_use(populated, tmp_path):
    server, _, _ = populated
    backup = tmp_path / "b"
    parley("backup", "--to", str(backup), "--data", str(server.data_dir))
    refused = parley("restore", "--from", str(backup), "--data", str(server.data_dir), check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr


def test_a_killed_backup_leaves_nothing_that_looks_complete(populated, tmp_path):
    server, user, _ = populated
    big = user.upload(os.urandom(150 << 20), filename="big.wav", title="big")
    user.cancel(big["id"])
    backup = tmp_path / "killed"
    for delay in (0.3, 0.8):
        process = subprocess.Popen(
            [str(BINARY), "backup", "--to", str(backup), "--data", str(server.data_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.returncode == -signal.SIGKILL:
            break
    assert process.returncode == -signal.SIGKILL, "the backup finished before it could be killed"
    assert snapshots(backup) == []
    # The next backup cleans up after the killed one and completes.
    parley("backup", "--to", str(backup), "--data", str(server.data_dir))
    assert len(snapshots(backup)) == 1 and not list((backup / "objects").rglob("*.part"))
    assert len(list((backup / "snapshots").iterdir())) == 1
    assert "ok" in parley("backup", "--verify", str(backup)).stdout
    user.request("DELETE", f"/api/v1/meetings/{big['id']}")


def test_a_killed_restore_can_be_run_again(populated, tmp_path):
    server, user, _ = populated
    big = user.upload(os.urandom(150 << 20), filename="big2.wav", title="big")
    user.cancel(big["id"])
    backup = tmp_path / "b"
    parley("backup", "--to", str(backup), "--data", str(server.data_dir))
    target = tmp_path / "target"
    process = subprocess.Popen(
        [str(BINARY), "restore", "--from", str(backup), "--data", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.4)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    # Killed or not, no usable-looking database stands in the target unless it finished.
    if process.returncode == -signal.SIGKILL:
        assert not (target / "parley.sqlite").exists()
    if process.returncode != 0:
        parley("restore", "--from", str(backup), "--data", str(target))
    assert (target / "parley.sqlite").exists() and not (target / ".restoring").exists()
    user.request("DELETE", f"/api/v1/meetings/{big['id']}")


def test_a_full_disk_fails_the_backup_cleanly(populated, tmp_path):
    server, _, _ = populated
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        failed = parley("backup", "--to", str(small / "b"), "--data", str(server.data_dir), check=False)
        assert failed.returncode != 0 and "backup failed, nothing kept" in failed.stderr, failed.stderr
        assert snapshots(small / "b") == []
    finally:
        subprocess.run(["umount", str(small)], check=False)


def test_a_backup_while_jobs_and_uploads_run_restores_consistently(tmp_path):
    server = ParleyServer(tmp_path / "data").start()
    try:
        user = server.add_user("busy")
        running = [
            user.upload(
                make_audio(tmp_path / f"m{i}.wav", 8, tag=f"busy-{i}").read_bytes(), filename=f"m{i}.wav", title=f"m{i}"
            )["id"]
            for i in range(3)
        ]
        backup = tmp_path / "b"
        parley("backup", "--to", str(backup), "--data", str(server.data_dir))
        for mid in running:
            user.wait_status(mid, timeout=240)
    finally:
        server.stop()
    target = tmp_path / "restored"
    parley("restore", "--from", str(backup), "--data", str(target))
    database = sqlite3.connect(target / "parley.sqlite")
    rows = database.execute("SELECT id, audio_path, playback_path FROM meeting").fetchall()
    jobs = database.execute("SELECT COUNT(*) FROM job").fetchone()[0]
    database.close()
    assert {row[0] for row in rows} == set(running) and jobs >= len(running)
    for _, audio, playback in rows:
        assert (target / audio).exists() and (playback is None or (target / playback).exists())
    # The restored server finishes whatever was in flight when the backup was taken.
    restored = ParleyServer(target).start()
    try:
        again = Api(restored, user.token, user.name)
        for mid in running:
            assert again.wait_status(mid, timeout=240)["status"] == "synced"
    finally:
        restored.stop()


def test_upgrades_keep_a_copy_and_a_newer_database_is_refused(tmp_path):
    data = tmp_path / "data"
    parley("user", "add", "first", "--data", str(data))
    database = sqlite3.connect(data / "parley.sqlite")
    applied = [row[0] for row in database.execute("SELECT identifier FROM grdb_migrations ORDER BY rowid")]
    last, previous = applied[-1], applied[-2]
    # Pretend the database predates the last migration (as an older Parley left it).
    assert last == "v12-upload-outcomes"
    database.executescript("""
        DROP TABLE upload_outcome;
        DELETE FROM grdb_migrations WHERE identifier = 'v12-upload-outcomes';
    """)
    database.close()
    parley("user", "add", "second", "--data", str(data))  # opening it upgrades it
    copies = list((data / "db-backups").glob(f"parley-{previous}-*.sqlite"))
    assert len(copies) == 1, list((data / "db-backups").iterdir())
    old = sqlite3.connect(copies[0])
    assert old.execute("SELECT name FROM user").fetchall() == [("first",)]
    assert not old.execute("SELECT name FROM sqlite_master WHERE name = 'upload_outcome'").fetchall()
    old.close()
    upgraded = sqlite3.connect(data / "parley.sqlite")
    assert upgraded.execute("SELECT name FROM sqlite_master WHERE name = 'meeting_segment_range'").fetchall()
    upgraded.close()
    # A database from a newer Parley: one clear line, and nothing changed.
    database = sqlite3.connect(data / "parley.sqlite")
    database.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
    database.commit()
    database.close()

    def contents():
        with sqlite3.connect(data / "parley.sqlite") as db:
            return (
                db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
                db.execute("SELECT identifier FROM grdb_migrations ORDER BY identifier").fetchall(),
                db.execute("SELECT id, name FROM user ORDER BY name").fetchall(),
            )

    before = contents()
    refused = subprocess.run(
        [str(BINARY), "serve", "--data", str(data), "--port", "0"], capture_output=True, text=True, timeout=30
    )
    assert refused.returncode != 0 and "newer Parley" in refused.stderr and "v99-from-the-future" in refused.stderr, (
        refused
    )
    assert contents() == before
