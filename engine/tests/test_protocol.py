"""The wire protocol, against a real engine subprocess."""

import subprocess
import sys
import time
from pathlib import Path

import pytest


def test_ready_line_comes_first_without_loading_models(new_engine):
    eng = new_engine()
    assert eng.ready == {"event": "ready", "version": "1", "pid": eng.proc.pid}
    assert eng.result("ping") == {}
    maps = Path(f"/proc/{eng.proc.pid}/maps")
    if maps.exists():  # lazy imports: answering ping must not have loaded CTranslate2
        assert "ctranslate2" not in maps.read_text()


def test_ping_echoes_string_and_integer_ids(engine):
    engine.send({"id": 7, "method": "ping"})
    assert engine.recv() == {"id": 7, "event": "result", "result": {}}
    engine.send({"id": "job-1", "method": "ping", "params": None})
    assert engine.recv() == {"id": "job-1", "event": "result", "result": {}}


@pytest.mark.parametrize(
    "line",
    [
        b"this is not json\n",
        b"[1, 2]\n",
        b'{"method": "ping"}\n',
        b'{"id": true}\n',
        b"\xff\xfe not utf-8\n",
        b'{"id": "a", "method": "ping"\n',
    ],
)
def test_unusable_line_gets_bad_request_with_null_id(engine, line):
    engine.send_raw(line)
    msg = engine.recv()
    assert msg["id"] is None and msg["event"] == "error"
    assert msg["error"]["code"] == "bad_request" and msg["error"]["retryable"] is False
    assert "\n" not in msg["error"]["message"]
    assert engine.result("ping") == {}  # still serving


def test_blank_lines_are_ignored(engine):
    engine.send_raw(b"\n  \n")
    assert engine.result("ping") == {}


@pytest.mark.parametrize(
    "method,params,needle",
    [
        ("no_such_method", {}, "unknown method"),
        ("transcribe", {}, "missing param `audio`"),
        ("transcribe", {"audio": "x.wav", "beam_size": "5"}, "beam_size"),
        ("transcribe", {"audio": "x.wav", "wordz": True}, "unknown param"),
        ("transcribe", {"audio": "x.wav", "device": "tpu"}, "device"),
        ("decode", {"input": "x.wav", "output": "/no/such/dir/out.wav"}, "does not exist"),
        ("diarize", {"audio": "x.wav", "min_speakers": 3, "max_speakers": 2}, "min_speakers"),
    ],
)
def test_bad_requests_name_the_problem(engine, method, params, needle):
    _, msg = engine.call(method, params)
    assert msg["event"] == "error" and msg["error"]["code"] == "bad_request", msg
    assert needle in msg["error"]["message"]


def test_params_must_be_an_object_and_id_is_kept(engine):
    engine.send({"id": "p", "method": "ping", "params": [1]})
    msg = engine.recv()
    assert msg["id"] == "p" and msg["error"]["code"] == "bad_request"


def test_eof_on_stdin_exits_zero(new_engine):
    eng = new_engine()
    assert eng.result("ping") == {}
    assert eng.close() == 0


def test_shutdown_replies_then_exits_zero(new_engine):
    eng = new_engine()
    _, msg = eng.call("shutdown")
    assert msg["event"] == "result" and msg["result"] == {}
    assert eng.proc.wait(timeout=30) == 0


# Starts the real engine through runpy after wrapping two handlers: one prints to Python's
# stdout and writes to fd 1 directly (as a C library would), one raises.
LAUNCHER = r"""
import os, runpy
import parley_engine.methods as m
ping = m.HANDLERS["ping"]
def noisy(params, job):
    print("STRAY-PRINT from python", flush=True)
    os.write(1, b"STRAY-WRITE to fd 1\n")
    return ping(params, job)
def broken(params, job):
    raise RuntimeError("boom\nsecond line")
m.HANDLERS.update(ping=noisy, broken=broken)
runpy.run_module("parley_engine", run_name="__main__")
"""


def test_stray_output_goes_to_stderr_not_the_protocol(new_engine):
    eng = new_engine([sys.executable, "-c", LAUNCHER])
    assert eng.result("ping") == {}
    _, msg = eng.call("broken")
    assert msg["error"] == {"code": "internal", "message": "RuntimeError: boom", "retryable": True}
    assert eng.result("ping") == {}
    assert eng.close() == 0
    assert all(b"STRAY" not in line for line in eng.raw)
    assert len(eng.raw) == 4  # ready + three replies, each one JSON line (checked on recv)
    log = eng.stderr()
    assert "STRAY-PRINT from python" in log and "STRAY-WRITE to fd 1" in log
    assert "Traceback" in log and "RuntimeError: boom" in log


# A stand-in supervisor: starts an engine on a long job, reports the engine's pid, waits.
# The engine's stdout is a file, so the engine cannot notice through a broken pipe.
ORPHANER = r"""
import json, subprocess, sys, time
out = open(sys.argv[2], "wb")
eng = subprocess.Popen([sys.executable, "-m", "parley_engine"], stdin=subprocess.PIPE,
                       stdout=out, stderr=subprocess.DEVNULL)
eng.stdin.write(json.dumps({"id": "long", "method": "transcribe",
                            "params": {"audio": sys.argv[1]}}).encode() + b"\n")
eng.stdin.flush()
while b'"stage":"transcribe"' not in open(sys.argv[2], "rb").read():
    time.sleep(0.05)  # wait until Whisper is running
print(eng.pid, flush=True)
sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\nState:\tZ" not in f.read()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_engine_exits_mid_job_when_its_parent_dies(tmp_path):
    from conftest import JFK_MP3, ffmpeg

    long_mp3 = tmp_path / "five-minutes.mp3"  # takes far longer to transcribe than we wait
    ffmpeg("-stream_loop", "27", "-i", str(JFK_MP3), "-c", "copy", str(long_mp3))
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHANER, str(long_mp3), str(tmp_path / "engine-stdout")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        pid = int(parent.stdout.readline())
        assert _alive(pid)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), "orphaned engine kept running its job"
    finally:
        parent.kill()
