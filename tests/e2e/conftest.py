"""Fixtures: a session-wide `parley serve` on a free loopback port with a temporary data
directory, fresh users per test, generated audio, and one meeting processed end to end."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support import JFK, Api, ParleyServer, make_audio  # noqa: E402


@pytest.fixture(scope="session")
def server():
    """The shared server. Tests that need their own (crash, limits) start one instead."""
    instance = ParleyServer().start()
    yield instance
    instance.stop()
    instance.remove()


@pytest.fixture
def user(server) -> Api:
    """A fresh account, so tests never see each other's meetings or dedupe against them."""
    return server.add_user()


@pytest.fixture
def other_user(server) -> Api:
    return server.add_user()


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("audio")


@pytest.fixture
def make_wav(audio_dir):
    """Makes a unique WAV of real speech: make_wav(seconds) -> Path."""
    counter = iter(range(1_000_000))

    def make(seconds: float, source: Path = JFK) -> Path:
        return make_audio(audio_dir / f"speech-{next(counter)}-{id(make)}.wav", seconds, source=source)

    return make


@pytest.fixture(scope="session")
def processed(server, audio_dir):
    """One meeting processed to `synced` (the 11 s JFK clip), shared by read-only tests.
    Returns (owner Api, meeting id, original bytes)."""
    owner = server.add_user()
    path = make_audio(audio_dir / "processed.wav", 11)
    data = path.read_bytes()
    meeting = owner.upload(data, title="Processed", client_id="processed-1", filename="jfk.wav")
    final = owner.wait_status(meeting["id"], timeout=180)
    assert final["status"] == "synced", final
    return owner, meeting["id"], data
