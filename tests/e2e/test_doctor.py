"""`parley doctor` on a sound installation, then with each problem planted in turn: it names
each one and fails (or warns) without changing anything."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import pytest

from support import BINARY, ParleyServer, make_audio


def doctor(data, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BINARY), "doctor", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def line(result: subprocess.CompletedProcess, check: str) -> str:
    return next(l for l in result.stdout.splitlines() if l.split(None, 1)[1].startswith(check + ":"))


@pytest.fixture
def installation(tmp_path):
    server = ParleyServer(tmp_path / "data").start()
    user = server.add_user()
    meeting = user.upload(make_audio(tmp_path / "a.wav", 5).read_bytes(), filename="a.wav", title="doctor")
    assert user.wait_status(meeting["id"], timeout=180)["status"] == "synced"
    server.stop()
    return server.data_dir, meeting["id"]


def test_a_sound_installation_passes(installation):
    data, _ = installation
    result = doctor(data)
    assert result.returncode == 0, result.stdout + result.stderr
    for check in ("ffmpeg", "engine", "data directory", "disk", "database", "audio", "orphans", "jobs"):
        assert line(result, check).startswith("OK"), result.stdout


def test_each_planted_problem_is_found(installation, tmp_path):
    data, meeting_id = installation
    os.chmod(data, 0o755)
    (data / "audio" / "left-behind").mkdir()
    original = next((data / "audio" / meeting_id).glob("original*"))
    original.unlink()
    with sqlite3.connect(data / "parley.sqlite") as db:
        db.execute("UPDATE job SET state = 'running', lease_owner = 'gone', lease_expires = 1000 WHERE stage = 'index'")
    result = doctor(data)
    assert result.returncode != 0
    assert line(result, "data directory").startswith("FAIL") and "755" in line(result, "data directory")
    assert line(result, "audio").startswith("FAIL") and meeting_id in line(result, "audio")
    assert line(result, "orphans").startswith("WARN") and "left-behind" in line(result, "orphans")
    assert line(result, "jobs").startswith("WARN") and f"{meeting_id}/index" in line(result, "jobs")
    # Reporting changed nothing.
    assert oct(os.stat(data).st_mode & 0o777) == "0o755" and (data / "audio" / "left-behind").exists()


def test_a_missing_engine_or_ffmpeg_fails(installation, tmp_path):
    data, _ = installation
    no_engine = doctor(data, PARLEY_ENGINE_PYTHON=str(tmp_path / "no-python"))
    assert no_engine.returncode != 0 and line(no_engine, "engine").startswith("FAIL")
    assert "install.sh" in line(no_engine, "engine")
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("env", "nice"):
        os.symlink(shutil.which(tool), bare / tool)
    no_ffmpeg = doctor(data, PATH=str(bare))
    assert no_ffmpeg.returncode != 0 and line(no_ffmpeg, "ffmpeg").startswith("FAIL")
