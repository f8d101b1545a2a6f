"""Helpers for the client reliability suite (tests/e2e/test_client_*.py) and bench/sync.py.

Self-contained on purpose (nothing from conftest.py or support.py): a `parley serve` on a free
loopback port with a temporary data directory, client homes driven through the real `parley`
CLI, a fault-injecting HTTP proxy, and generated audio. Everything talks over loopback.
"""

from __future__ import annotations

import atexit
import base64
import collections
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TypeVar
from urllib.parse import urlsplit

import pytest
import requests

sys.path.insert(0, str(Path(__file__).parent))
from support import ParleyServer, file_sha256, sha256, wait_for  # noqa: E402,F401

from support import BINARY, REPO, TUS  # noqa: E402,F401

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# Small utilities


# The suite's shared helpers, under the names these tests use.
sha256_bytes = sha256
sha256_file = file_sha256


_snapshot: Path | None = None
_snapshot_lock = threading.Lock()


def binary(timeout: float = 900) -> Path:
    """The `parley` binary to run: a private copy of the build product, taken once per
    session when the file has stopped changing. Others rebuild `.build/debug/parley` while
    this suite runs; a copy never turns into "Text file busy" or a different build halfway.
    PARLEY_BINARY, if set, is used as it is."""
    global _snapshot
    if os.environ.get("PARLEY_BINARY"):
        return BINARY
    with _snapshot_lock:
        if _snapshot is not None:
            return _snapshot
        directory = Path(tempfile.mkdtemp(prefix="parley-client-bin-"))
        atexit.register(shutil.rmtree, directory, True)
        deadline = time.monotonic() + timeout
        while True:
            assert time.monotonic() < deadline, f"{BINARY} did not become stable (is a build stuck?)"
            try:
                before = BINARY.stat()
                time.sleep(2)
                if BINARY.stat().st_mtime_ns != before.st_mtime_ns or BINARY.stat().st_size != before.st_size:
                    continue
                shutil.copy2(BINARY, directory / "parley")
                if BINARY.stat().st_mtime_ns != before.st_mtime_ns:
                    continue
                probe = subprocess.run([str(directory / "parley"), "--help"], capture_output=True, timeout=60)
                if probe.returncode == 0:
                    break
            except (FileNotFoundError, OSError, subprocess.TimeoutExpired):
                time.sleep(2)
        # Resource bundles are looked up next to the executable.
        for bundle in BINARY.parent.glob("*.resources"):
            (directory / bundle.name).symlink_to(bundle)
        _snapshot = directory / "parley"
        return _snapshot


def require_binary() -> None:
    binary()


def engine_env() -> dict[str, str]:
    """The engine is found next to the checkout; the copied binary lives elsewhere."""
    python = REPO / "engine" / ".venv" / "bin" / "python"
    return {"PARLEY_ENGINE_PYTHON": str(python)} if python.exists() and "PARLEY_ENGINE_PYTHON" not in os.environ else {}


def make_tone(path: Path, index: int, seconds: float, rate: int = 16000) -> Path:
    """A mono 16-bit WAV: a tone whose frequency depends on `index`, so every index gives
    different bytes (and a different hash); the same index and length give the same bytes."""
    assert shutil.which("sox"), "sox is needed to make test audio"
    frequency = 180 + 37 * index
    subprocess.run(
        [
            "sox",
            "-R",
            "-n",
            "-r",
            str(rate),
            "-c",
            "1",
            "-b",
            "16",
            str(path),
            "synth",
            f"{seconds:.3f}",
            "sine",
            str(frequency),
            "vol",
            "0.5",
        ],
        check=True,
        timeout=60,
        capture_output=True,
    )
    return path


def make_tones(
    directory: Path, count: int, min_kb: int = 100, max_kb: int = 300, seed: int = 1, start: int = 0
) -> list[Path]:
    """`count` distinct WAVs of `min_kb`..`max_kb` KB (16 kHz mono 16-bit: 32 KB a second)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files = []
    for index in range(start, start + count):
        kilobytes = rng.uniform(min_kb, max_kb)
        files.append(make_tone(directory / f"rec-{index:03d}.wav", index, kilobytes * 1024 / 32000))
    hashes = {sha256_file(path) for path in files}
    assert len(hashes) == len(files), "generated recordings must all differ"
    return files


# ---------------------------------------------------------------------------------------------
# The server


class Server(ParleyServer):
    """`parley serve` on its own port and data directory, run from a private copy of the
    binary (see `binary()`), with the engine's test settings."""

    def __init__(self, env: dict[str, str] | None = None):
        super().__init__(env={**engine_env(), **(env or {})}, binary=binary(), prefix="parley-client-e2e-")

    def start(self, timeout: float = 60) -> "Server":
        super().start(timeout)
        return self

    def add_user(self, name: str | None = None) -> "Account":
        name = name or f"u{uuid.uuid4().hex[:10]}"
        token = self.cli("user", "add", name)
        assert token.startswith("prl_"), token
        return Account(self, token, name)


class Account:
    """A user's direct view of the server (never through a proxy)."""

    def __init__(self, server: Server, token: str, name: str):
        self.server = server
        self.token = token
        self.name = name
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        url = path if path.startswith("http") else self.server.url + path
        return self.session.request(method, url, **kwargs)

    def synced(self) -> list[dict]:
        """Every meeting the account holds (GET /api/v1/meetings/synced, all pages)."""
        items, cursor = [], None
        while True:
            params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            response = self.request("GET", "/api/v1/meetings/synced", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def original(self, meeting_id: str) -> bytes:
        response = self.request("GET", f"/api/v1/meetings/{meeting_id}/audio/stream", params={"variant": "original"})
        assert response.status_code == 200, f"{meeting_id}: {response.status_code} {response.text[:200]}"
        return response.content

    def status(self, meeting_id: str) -> dict:
        response = self.request("GET", f"/api/v1/meetings/{meeting_id}/status")
        assert response.status_code == 200, response.text
        return response.json()

    def delete(self, meeting_id: str) -> None:
        response = self.request("DELETE", f"/api/v1/meetings/{meeting_id}")
        assert response.status_code == 204, response.text

    def upload_direct(self, data: bytes, **query: str) -> dict:
        """Single-request upload (POST /api/v1/meetings), as curl would do it."""
        response = self.request(
            "POST", "/api/v1/meetings", params=query, data=data, headers={"Content-Type": "audio/wav"}
        )
        assert response.status_code in (200, 201), response.text
        return response.json()["meeting"]

    def upload_offset(self, location: str) -> int | None:
        """The server's offset for a tus upload (HEAD), asked on the direct port whatever
        host the location names; None if the server does not know it."""
        path = urlsplit(location).path
        response = self.request("HEAD", path, headers=TUS)
        if response.status_code != 200:
            return None
        return int(response.headers["Upload-Offset"])

    def wait_status(
        self, meeting_id: str, statuses: Iterable[str] = ("synced", "failed"), timeout: float = 120
    ) -> dict:
        wanted = set(statuses)
        return wait_for(
            lambda: (s := self.status(meeting_id))["status"] in wanted and s,
            timeout,
            interval=0.2,
            what=f"meeting {meeting_id} to reach {sorted(wanted)}",
        )


# ---------------------------------------------------------------------------------------------
# The client


@dataclass
class SyncRun:
    returncode: int
    report: dict | None
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Client:
    """One client home (a "device"), driven through the `parley` CLI."""

    def __init__(self, home: Path, env: dict[str, str] | None = None):
        require_binary()
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = dict(env or {})

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {**os.environ, **self.env, **(extra or {})}
        env.pop("PARLEY_HOME", None)
        return env

    def command(self, *args: str) -> list[str]:
        return [str(binary()), args[0], "--home", str(self.home), *args[1:]]

    def run(
        self, *args: str, timeout: float = 120, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            self.command(*args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.environment(env),
            stdin=subprocess.DEVNULL,
        )
        if check:
            assert result.returncode == 0, (
                f"parley {' '.join(args)} exited {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def json(self, *args: str, **kwargs):
        return json.loads(self.run(*args, "--json", **kwargs).stdout)

    def spawn(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        return subprocess.Popen(
            self.command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.environment(env),
            stdin=subprocess.DEVNULL,
        )

    def login(self, server_url: str, token: str, offload: str | None = None) -> None:
        args = ["login", "--server", server_url, "--token", token]
        if offload:
            args += ["--offload", offload]
        self.run(*args)

    def point_at(self, server_url: str) -> None:
        """Switches the configured server (e.g. from a proxy to the direct port)."""
        config = self.home / "config.json"
        settings = json.loads(config.read_text())
        settings["server"] = server_url
        config.write_text(json.dumps(settings))

    def import_files(self, files: Iterable[Path]) -> list[dict]:
        return self.json("import", *[str(path) for path in files])

    def sync(self, *args: str, timeout: float = 600, env: dict[str, str] | None = None) -> SyncRun:
        """`parley sync --json ARGS`; exit 2 (some recordings failed) still gives a report."""
        started = time.monotonic()
        result = self.run("sync", "--json", *args, timeout=timeout, check=False, env=env)
        report = None
        if result.returncode in (0, 2):
            report = json.loads(result.stdout)
        return SyncRun(result.returncode, report, result.stdout, result.stderr, time.monotonic() - started)

    def recordings(self) -> list[dict]:
        """The local library (`parley ls --local --json`)."""
        return self.json("ls", "--local")

    def statuses(self) -> collections.Counter:
        return collections.Counter(entry["status"] for entry in self.recordings())

    def status(self, recording_id: str) -> dict:
        return self.json("status", recording_id)

    def storage(self) -> dict:
        return self.json("storage")


# ---------------------------------------------------------------------------------------------
# The fault-injecting proxy


FAULTS = ("pass", "delay", "drop", "lose", "429", "503", "500")


class FaultPlan:
    """A seeded schedule of faults, one decision per request in arrival order.

    drop   - forward the request head and part of its body, then close both connections
             (a connection lost mid-upload); a request without a body is dropped unsent.
    lose   - forward the whole request, read the server's answer, then close without
             passing it on (the server acted; the client never hears).
    delay  - hold the request for a random `delay_seconds` before forwarding it.
    429/503/500 - answer by itself (429 and 503 with Retry-After: 1), never forwarding.
    `methods` or `only(method, target)` limit which requests may be faulted.
    """

    def __init__(
        self,
        seed: int = 0,
        drop: float = 0.0,
        lose: float = 0.0,
        delay: float = 0.0,
        status: float = 0.0,
        statuses: tuple[int, ...] = (429, 503, 500),
        delay_seconds: tuple[float, float] = (0.05, 0.4),
        methods: set[str] | None = None,
        only: Callable[[str, str], bool] | None = None,
    ):
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.weights = [("drop", drop), ("lose", lose), ("delay", delay)]
        self.weights += [(str(code), status / len(statuses)) for code in statuses]
        assert sum(weight for _, weight in self.weights) <= 1
        self.delay_seconds = delay_seconds
        self.methods = methods
        self.only = only
        self.enabled = True

    def choose(self, method: str, path: str) -> tuple[str, float]:
        with self.lock:
            roll = self.random.random()
            pause = self.random.uniform(*self.delay_seconds)
            if (
                not self.enabled
                or (self.methods and method not in self.methods)
                or (self.only and not self.only(method, path))
            ):
                return "pass", 0.0
            for kind, weight in self.weights:
                if roll < weight:
                    return kind, pause
                roll -= weight
            return "pass", 0.0


@dataclass
class HTTPMessage:
    start: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def head_bytes(self, headers: list[tuple[str, str]] | None = None) -> bytes:
        lines = [self.start] + [f"{key}: {value}" for key, value in (headers if headers is not None else self.headers)]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _read_head(reader) -> HTTPMessage | None:
    line = reader.readline(65536)
    while line in (b"\r\n", b"\n"):
        line = reader.readline(65536)
    if not line:
        return None
    headers = []
    while True:
        raw = reader.readline(65536)
        if not raw:
            raise ConnectionError("connection closed inside the headers")
        if raw in (b"\r\n", b"\n"):
            break
        key, _, value = raw.decode("latin-1").partition(":")
        headers.append((key.strip(), value.strip()))
    return HTTPMessage(line.decode("latin-1").rstrip("\r\n"), headers)


def _read_body(reader, message: HTTPMessage, bodiless: bool = False) -> bytes:
    """The body, de-chunked; raises ConnectionError when the peer closes early."""
    if bodiless:
        return b""
    if (message.header("Transfer-Encoding") or "").lower() == "chunked":
        body = bytearray()
        while True:
            size_line = reader.readline(65536)
            if not size_line:
                raise ConnectionError("closed inside a chunked body")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while reader.readline(65536) not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(body)
            chunk = reader.read(size)
            if len(chunk) < size:
                raise ConnectionError("closed inside a chunk")
            body += chunk
            reader.readline(65536)
    length = message.header("Content-Length")
    if length is None:
        # A request without a length has no body; a response without one runs to the close.
        return reader.read() if message.start.startswith("HTTP/") else b""
    body = reader.read(int(length))
    if len(body) < int(length):
        raise ConnectionError("closed inside the body")
    return body


HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "keep-alive"}


class FaultProxy:
    """A loopback HTTP/1.1 proxy in front of one server port that injects faults.

    Each request is read whole, a fault is chosen by `plan`, and (unless answered or dropped
    by the proxy) forwarded on its own upstream connection; the answer is read whole, passed
    through `rewrite` if given, and returned. Threads, one per client connection.
    """

    def __init__(
        self,
        upstream_port: int,
        plan: FaultPlan | None = None,
        patch_delay: float = 0.0,
        rewrite: Callable[[str, str, HTTPMessage], bytes | None] | None = None,
    ):
        self.upstream_port = upstream_port
        self.plan = plan or FaultPlan()
        self.patch_delay = patch_delay
        self.rewrite = rewrite
        self.counts: collections.Counter = collections.Counter()
        self.patch_bytes_forwarded = 0
        self.closed = False
        self.in_flight = 0
        self.condition = threading.Condition()
        self.sockets: set[socket.socket] = set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.closed = True
        try:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave the
            # port accepting connections that nobody serves (clients would hang, not fail).
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join(5)
        with self.condition:
            for sock in list(self.sockets):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def wait_idle(self, timeout: float = 30) -> None:
        """Until no request is being handled (e.g. after killing a client mid-request)."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while self.in_flight:
                left = deadline - time.monotonic()
                assert left > 0, f"proxy still has {self.in_flight} requests in flight"
                self.condition.wait(left)

    def __enter__(self) -> "FaultProxy":
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def _track(self, sock: socket.socket, add: bool) -> None:
        with self.condition:
            (self.sockets.add if add else self.sockets.discard)(sock)

    def _accept(self) -> None:
        while not self.closed:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, down: socket.socket) -> None:
        self._track(down, True)
        reader = down.makefile("rb")
        try:
            while not self.closed:
                request = _read_head(reader)
                if request is None:
                    return
                request.body = _read_body(reader, request)
                with self.condition:
                    self.in_flight += 1
                try:
                    if not self._handle(down, request):
                        return
                finally:
                    with self.condition:
                        self.in_flight -= 1
                        self.condition.notify_all()
        except (OSError, ValueError, ConnectionError):
            return
        finally:
            self._track(down, False)
            try:
                reader.close()
                down.close()
            except OSError:
                pass

    def _handle(self, down: socket.socket, request: HTTPMessage) -> bool:
        """Serves one request; False when the client connection must close."""
        method, target = request.start.split(" ")[:2]
        kind, pause = self.plan.choose(method, target)
        with self.condition:
            self.counts[kind] += 1
            self.counts[f"{kind} {method}"] += 1
            self.counts["requests"] += 1
        if kind in ("429", "503", "500"):
            body = json.dumps({"error": {"code": "injected", "message": f"fault proxy answered {kind}"}}).encode()
            headers = [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Connection", "close"),
            ]
            if kind != "500":
                headers.append(("Retry-After", "1"))
            reason = {"429": "Too Many Requests", "503": "Service Unavailable", "500": "Internal Server Error"}[kind]
            down.sendall(HTTPMessage(f"HTTP/1.1 {kind} {reason}", headers).head_bytes() + body)
            return False
        if kind == "delay":
            time.sleep(pause)
        if method == "PATCH" and self.patch_delay:
            time.sleep(self.patch_delay)
        headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_HEADERS]
        if request.body or method in ("POST", "PATCH", "PUT"):
            headers.append(("Content-Length", str(len(request.body))))
        headers.append(("Connection", "close"))
        head = request.head_bytes(headers)
        if kind == "drop":
            if request.body:
                cut = random.Random(pause).randint(1, max(len(request.body) - 1, 1))
                with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60) as up:
                    up.sendall(head + request.body[:cut])
                    if method == "PATCH":
                        with self.condition:
                            self.patch_bytes_forwarded += cut
                    time.sleep(0.02)
            return False
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=300) as up:
            up.sendall(head + request.body)
            if method == "PATCH":
                with self.condition:
                    self.patch_bytes_forwarded += len(request.body)
            upstream = up.makefile("rb")
            response = _read_head(upstream)
            if response is None:
                raise ConnectionError("the server closed without answering")
            status = int(response.start.split(" ")[1])
            with self.condition:
                self.counts[f"answered {status}"] += 1
            bodiless = method == "HEAD" or status in (204, 304) or 100 <= status < 200
            response.body = _read_body(upstream, response, bodiless=bodiless)
            upstream.close()
        if kind == "lose":
            return False
        body = response.body
        if self.rewrite and not bodiless:
            replaced = self.rewrite(method, target, response)
            if replaced is not None:
                body = replaced
                with self.condition:
                    self.counts["rewritten"] += 1
        out = [
            (k, v)
            for k, v in response.headers
            if k.lower() not in HOP_HEADERS or (bodiless and k.lower() == "content-length")
        ]
        if not bodiless:
            out.append(("Content-Length", str(len(body))))
        keep = (request.header("Connection") or "").lower() != "close"
        out.append(("Connection", "keep-alive" if keep else "close"))
        down.sendall(response.head_bytes(out) + body)
        return keep


def rewrite_metadata_sha(method: str, target: str, response: HTTPMessage) -> bytes | None:
    """For FaultProxy(rewrite=...): /audio/metadata answers claim a different SHA-256."""
    if method != "GET" or not urlsplit(target).path.endswith("/audio/metadata") or not response.body:
        return None
    document = json.loads(response.body)
    if "sha256" in document:
        document["sha256"] = "0" * 64 if document["sha256"] != "0" * 64 else "f" * 64
    return json.dumps(document).encode()


# ---------------------------------------------------------------------------------------------
# Shared pytest fixtures (import them explicitly in a test module)


@pytest.fixture(scope="module")
def client_server():
    """A server for one test module; accounts are per test, so tests never dedupe across."""
    server = Server().start()
    yield server
    server.stop()
    server.remove()


@pytest.fixture
def account(client_server) -> Account:
    return client_server.add_user()


@pytest.fixture
def new_client(tmp_path):
    """new_client(name, **env) -> Client with its own home under the test's tmp dir."""

    def make(name: str = "device", **env: str) -> Client:
        return Client(
            tmp_path / f"home-{name}",
            env={"PARLEY_RETRY_BASE_MS": "50", **{key: str(value) for key, value in env.items()}},
        )

    return make


def tus_metadata(**fields: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in fields.items())


# ---------------------------------------------------------------------------------------------
# Crashing a client mid-upload


@dataclass
class Interrupted:
    """What a client killed mid-upload left behind."""

    recording: dict
    location: str
    server_offset: int
    size: int


def kill_mid_upload(
    client: Client, account: Account, proxy: FaultProxy, recording_id: str, min_bytes: int, timeout: float = 120
) -> Interrupted:
    """Starts `sync` (through `proxy`, which should be slowed with patch_delay), waits until
    the server holds at least `min_bytes` of the recording, then SIGKILLs the client. Returns
    the library's view and the server's offset once the proxy has finished what was in flight."""
    process = client.spawn("sync", "--json", "--parallel", "1")
    try:

        def progressed():
            assert process.poll() is None, f"sync ended before it could be killed: {process.communicate()}"
            location = client.status(recording_id)["recording"].get("uploadUrl")
            if not location:
                return None
            offset = account.upload_offset(location)
            return (location, offset) if offset is not None and offset >= min_bytes else None

        location, _ = wait_for(progressed, timeout, interval=0.05, what=f"{min_bytes} bytes on the server")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
        process.stderr.close()
    proxy.wait_idle()
    offset = account.upload_offset(location)
    assert offset is not None, "the partial upload vanished from the server"
    recording = client.status(recording_id)["recording"]
    return Interrupted(recording, location, offset, recording["size"])
